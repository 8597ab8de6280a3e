//! The optional Redis connection every replica shares state through: persisted queries,
//! rate-limit counters, the response cache's shared layer and the event fan-out.

use anyhow::Context as _;
use redis::aio::ConnectionManagerConfig;
use schema::common::shared_redis::{RedisLimits, SharedRedis};
use std::time::Duration;

/// How long one Redis command may take inside the connection manager. Calls are bounded
/// more tightly by `RedisLimits::call_timeout` (see `SharedRedis::run`).
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);
/// Reconnect attempts after a lost connection: few and quick (100 + 200 ms, plus jitter).
/// The manager's defaults (6 attempts from 100 ms doubling, with jitter: 6.3 to 12.6 s)
/// made every command wait for the whole round while Redis was down — the 9.4 s requests.
/// Pacing the retries is the circuit breaker's job now: each probe starts a new round.
const RECONNECT_ATTEMPTS: usize = 2;
const RECONNECT_MAX_DELAY: Duration = Duration::from_millis(500);

/// Connects at start. A Redis that is configured but unreachable stops the start: running
/// without it would silently split the replicas' persisted queries and rate limits. Once
/// running, an outage only degrades the server (see `SharedRedis::run`).
///
/// The manager reconnects by itself after a disconnect and is cheap to clone.
pub async fn connect(
    url: &str,
    namespace: &str,
    limits: RedisLimits,
) -> anyhow::Result<SharedRedis> {
    let client = redis::Client::open(url).context("REDIS_URL is not a valid Redis URL")?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(CONNECTION_TIMEOUT))
        .set_response_timeout(Some(RESPONSE_TIMEOUT))
        .set_number_of_retries(RECONNECT_ATTEMPTS)
        .set_max_delay(RECONNECT_MAX_DELAY);
    let manager = tokio::time::timeout(
        CONNECTION_TIMEOUT * 2,
        client.get_connection_manager_with_config(config),
    )
    .await
    .context("connecting to Redis timed out")?
    .context("connecting to Redis")?;
    Ok(SharedRedis::new(client, manager, namespace, limits))
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
