//! A Redis key namespace per test, on the server named by `TEST_REDIS_URL`.

use redis::AsyncCommands;

/// A unique namespace on the test Redis; `cleanup` deletes every key under it.
pub struct TestRedis {
    pub url: String,
    pub namespace: String,
}

impl TestRedis {
    /// `None` when `TEST_REDIS_URL` is unset. In CI (`CI` set) it must be set: a Redis test
    /// that silently skipped would hide a broken replica setup.
    pub fn from_env() -> Option<Self> {
        let url = std::env::var("TEST_REDIS_URL")
            .ok()
            .filter(|u| !u.trim().is_empty());
        if url.is_none() && std::env::var_os("CI").is_some() {
            panic!("CI is set but TEST_REDIS_URL is not: the Redis tests would not run");
        }
        Some(Self {
            url: url?,
            namespace: format!("shopgraph-test-{}", uuid::Uuid::new_v4().simple()),
        })
    }

    pub async fn connection(&self) -> anyhow::Result<redis::aio::MultiplexedConnection> {
        Ok(redis::Client::open(self.url.as_str())?
            .get_multiplexed_async_connection()
            .await?)
    }

    /// The keys written under this namespace so far.
    pub async fn keys(&self) -> anyhow::Result<Vec<String>> {
        let mut connection = self.connection().await?;
        let keys: Vec<String> = connection.keys(format!("{}:*", self.namespace)).await?;
        Ok(keys)
    }

    pub async fn cleanup(&self) -> anyhow::Result<()> {
        let keys = self.keys().await?;
        if !keys.is_empty() {
            let mut connection = self.connection().await?;
            let _: () = connection.del(keys).await?;
        }
        Ok(())
    }
}
