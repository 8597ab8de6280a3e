//! The Redis connection replicas share state through, with the key namespace that keeps
//! several deployments (or test runs) on one Redis apart.

use redis::aio::ConnectionManager;

#[derive(Clone)]
pub struct SharedRedis {
    /// Reconnects by itself; cheap to clone (one multiplexed connection underneath).
    pub connection: ConnectionManager,
    namespace: String,
}

impl SharedRedis {
    pub fn new(connection: ConnectionManager, namespace: &str) -> Self {
        Self {
            connection,
            namespace: namespace.trim_end_matches(':').to_owned(),
        }
    }

    /// `<namespace>:<suffix>`.
    pub fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.namespace)
    }
}
