//! A GraphQL client for one server address: HTTP requests, sign-in and websockets.
//! In-process test servers and spawned server processes both hand one out.

use super::accounts::{ADMIN_EMAIL, ADMIN_PASSWORD, CUSTOMER_PASSWORD};
use anyhow::Context as _;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Endpoint {
    pub addr: SocketAddr,
    client: reqwest::Client,
    /// The staff mutations sent through `graphql_as`, for the audit check.
    pub audit: super::audit_check::AuditLedger,
}

/// A GraphQL response with the HTTP details tests assert on.
#[derive(Debug)]
pub struct GraphqlResponse {
    pub status: u16,
    pub body: Value,
    /// `x-sql-statements`: statements the request issued.
    pub sql_statements: Option<usize>,
}

impl GraphqlResponse {
    /// The `data` member, failing the test when there are errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected GraphQL errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The first error's `extensions.code`.
    pub fn error_code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }

    pub fn error_message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or("")
    }
}

impl Endpoint {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            client: reqwest::Client::new(),
            audit: Default::default(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.client
    }

    /// POSTs a query with variables to `/graphql`.
    pub async fn graphql(&self, query: &str, variables: Value) -> anyhow::Result<GraphqlResponse> {
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await?;
        Self::read(response).await
    }

    /// The text a GET of `path` answers (`/metrics` of a development server, say).
    pub async fn get_text(&self, path: &str) -> anyhow::Result<String> {
        Ok(self.client.get(self.url(path)).send().await?.text().await?)
    }

    /// How many receivers the server's event hub has (its `event_subscribers` gauge, read
    /// from the `/metrics` of a development server).
    pub async fn event_subscribers(&self) -> anyhow::Result<u64> {
        let metrics = self.get_text("/metrics").await?;
        metrics
            .lines()
            .find_map(|line| line.strip_prefix("shopgraph_event_subscribers "))
            .and_then(|value| value.trim().parse().ok())
            .ok_or_else(|| anyhow::anyhow!("no event_subscribers gauge in /metrics"))
    }

    /// Waits (30 s at most) until the event hub has at least `count` receivers: once it
    /// has, subscriptions started before the call see everything published after it.
    /// (A fixed sleep is not enough: a loaded machine can take seconds to register one.)
    pub async fn until_subscribers(&self, count: u64) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let now = self.event_subscribers().await?;
            if now >= count {
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "{now} event subscribers after 30 s, expected {count}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// POSTs a whole request body (with `extensions`, `operationName`, …) to `/graphql`.
    pub async fn post_body(&self, body: &Value) -> anyhow::Result<GraphqlResponse> {
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(body)
            .send()
            .await?;
        Self::read(response).await
    }

    /// Reads a `/graphql` answer: status, JSON body and the statement count header.
    pub async fn read(response: reqwest::Response) -> anyhow::Result<GraphqlResponse> {
        let status = response.status().as_u16();
        let sql_statements = response
            .headers()
            .get("x-sql-statements")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let text = response.text().await?;
        let body = serde_json::from_str(&text)
            .with_context(|| format!("response is not JSON (HTTP {status}): {text}"))?;
        Ok(GraphqlResponse {
            status,
            body,
            sql_statements,
        })
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
        let request_id = uuid::Uuid::new_v4().to_string();
        let sent = self.request_as(token, query, variables.clone());
        let response = sent.header("x-request-id", &request_id).send().await?;
        let response = Self::read(response).await?;
        let document = (query, &variables);
        self.audit
            .note(token, document, &request_id, &response.body);
        Ok(response)
    }

    /// Like `graphql_as`, returning the raw HTTP answer (for tests that read its headers).
    pub async fn post_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self.request_as(token, query, variables).send().await?)
    }

    fn request_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> reqwest::RequestBuilder {
        let request = self
            .http()
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }
}

/// A response header as text; empty when absent or not text.
pub fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
