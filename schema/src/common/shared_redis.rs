//! The Redis connection replicas share state through, with the key namespace that keeps
//! several deployments (or test runs) on one Redis apart.

use redis::aio::ConnectionManager;

#[derive(Clone)]
pub struct SharedRedis {
    /// Opens dedicated connections (pub/sub subscribers need their own).
    pub client: redis::Client,
    /// For commands: reconnects by itself; cheap to clone (one multiplexed connection).
    pub connection: ConnectionManager,
    namespace: String,
}

impl SharedRedis {
    pub fn new(client: redis::Client, connection: ConnectionManager, namespace: &str) -> Self {
        Self {
            client,
            connection,
            namespace: namespace.trim_end_matches(':').to_owned(),
        }
    }

    /// `<namespace>:<suffix>`.
    pub fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.namespace)
    }
}
