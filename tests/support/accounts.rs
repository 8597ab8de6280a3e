//! Accounts for tests: a server with an administrator, sign-in, and requests as a viewer.

use super::database::Backend;
use super::graphql::{GraphqlResponse, TestServer};
use serde_json::{Value, json};

/// The administrator `TestServer::with_admin` creates (through ADMIN_EMAIL/ADMIN_PASSWORD).
pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "a long staff passphrase";
/// The password `customer_token` registers customers with.
pub const CUSTOMER_PASSWORD: &str = "correct horse battery";

impl TestServer {
    /// A server with `products` demo products and the administrator account.
    pub async fn with_admin(backend: Backend, products: usize) -> anyhow::Result<Self> {
        Self::start(backend, products, |c| {
            c.admin_email = Some(ADMIN_EMAIL.into());
            c.admin_password = Some(ADMIN_PASSWORD.into());
        })
        .await
    }

    /// An access token for `email`/`password`; empty when sign-in is refused.
    pub async fn sign_in(&self, email: &str, password: &str) -> anyhow::Result<String> {
        let sign_in = "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { accessToken } }";
        let r = self
            .graphql(sign_in, json!({ "e": email, "p": password }))
            .await?;
        Ok(r.data()["tokenCreate"]["accessToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// The administrator's access token.
    pub async fn admin_token(&self) -> anyhow::Result<String> {
        self.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Registers the customer `email` (if new) and returns an access token for it.
    pub async fn customer_token(&self, email: &str) -> anyhow::Result<String> {
        let register = "mutation($e: String!, $p: String!) { customerRegister(input: { email: $e, password: $p }) { userErrors { code } } }";
        self.graphql(register, json!({ "e": email, "p": CUSTOMER_PASSWORD }))
            .await?;
        self.sign_in(email, CUSTOMER_PASSWORD).await
    }

    /// POSTs a query as the viewer of `token` (anonymous with `None`).
    pub async fn graphql_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<GraphqlResponse> {
        let mut request = self
            .http()
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Self::read(request.send().await?).await
    }
}
