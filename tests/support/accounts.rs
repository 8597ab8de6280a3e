//! Accounts for tests: a server with an administrator, sign-in, and requests as a viewer.

use super::database::Backend;
use super::graphql::TestServer;

/// The administrator `TestServer::with_admin` creates (through ADMIN_EMAIL/ADMIN_PASSWORD).
pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "a long staff passphrase";
/// The password `customer_token` registers customers with.
pub const CUSTOMER_PASSWORD: &str = "correct horse battery";

impl TestServer {
    /// A server with `products` demo products and the administrator account.
    pub async fn with_admin(backend: Backend, products: usize) -> anyhow::Result<Self> {
        Self::start(backend, products, |c| {
            c.auth.admin_email = Some(ADMIN_EMAIL.into());
            c.auth.admin_password = Some(ADMIN_PASSWORD.into());
        })
        .await
    }
}
