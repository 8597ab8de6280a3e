//! The optional Redis connection every replica shares state through: persisted queries,
//! rate-limit counters and (later) the event fan-out.

use anyhow::Context as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use schema::common::shared_redis::SharedRedis;
use std::time::Duration;

/// How long one Redis command may take before it counts as failed. Callers treat Redis as a
/// shared cache, so a slow Redis must not stall requests for long.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);

/// Connects at start. A Redis that is configured but unreachable stops the start: running
/// without it would silently split the replicas' persisted queries and rate limits.
///
/// The manager reconnects by itself after a disconnect and is cheap to clone.
pub async fn connect(url: &str, namespace: &str) -> anyhow::Result<SharedRedis> {
    let client = redis::Client::open(url).context("REDIS_URL is not a valid Redis URL")?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(CONNECTION_TIMEOUT))
        .set_response_timeout(Some(RESPONSE_TIMEOUT));
    let manager = tokio::time::timeout(
        CONNECTION_TIMEOUT * 2,
        client.get_connection_manager_with_config(config),
    )
    .await
    .context("connecting to Redis timed out")?
    .context("connecting to Redis")?;
    Ok(SharedRedis::new(client, manager, namespace))
}

/// `PING`, for `/readyz`.
pub async fn ping(redis: &ConnectionManager) -> bool {
    let mut redis = redis.clone();
    let pong: redis::RedisResult<String> = redis::cmd("PING").query_async(&mut redis).await;
    pong.is_ok()
}

/// The URL without its password, for logs.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split_once(':').map_or("", |(user, _)| user);
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn hides_passwords() {
        assert_eq!(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
        assert_eq!(
            redact("redis://user:secret@cache:6379/0"),
            "redis://user:***@cache:6379/0"
        );
        assert_eq!(
            redact("redis://:secret@cache:6379"),
            "redis://:***@cache:6379"
        );
    }
}
