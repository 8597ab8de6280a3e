//! The Redis connection replicas share state through, with the key namespace that keeps
//! several deployments (or test runs) on one Redis apart.
//!
//! Redis is disposable here: every use on a request path (the response cache's shared layer,
//! persisted queries, rate-limit counters) has an in-process fallback. So every command goes
//! through [`SharedRedis::run`], which bounds it by a short timeout and a circuit breaker:
//! while Redis is unreachable, requests take their fallback at once instead of each waiting
//! on the connection manager's reconnect attempts.

use super::circuit_breaker::{BreakerStats, CircuitBreaker};
use redis::aio::ConnectionManager;
use std::sync::Arc;
use std::time::Duration;

/// How Redis calls are bounded.
#[derive(Clone, Copy, Debug)]
pub struct RedisLimits {
    /// Longest wait for one call (command, pipeline or script) before it counts as failed.
    pub call_timeout: Duration,
    /// How long calls are refused after a failure before one probes again.
    pub cool_down: Duration,
}

impl Default for RedisLimits {
    fn default() -> Self {
        Self {
            call_timeout: Duration::from_millis(250),
            cool_down: Duration::from_secs(2),
        }
    }
}

/// Why a Redis call gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum RedisCallError {
    /// The circuit is open: Redis failed recently and is not asked until the cool-down ends.
    #[error("Redis is unavailable (circuit open)")]
    CircuitOpen,
    #[error("Redis did not answer within {0:?}")]
    TimedOut(Duration),
    #[error(transparent)]
    Redis(#[from] redis::RedisError),
}

impl RedisCallError {
    /// Logs a failed call of `what`. Outages are logged once by the circuit breaker, so
    /// here only errors of a Redis that answered (a bug or a misconfiguration) are warnings.
    pub fn log(&self, what: &str) {
        match self {
            Self::Redis(err) if !is_outage(err) => {
                tracing::warn!(error = %err, "{what} in Redis failed")
            }
            _ => tracing::debug!(error = %self, "{what} in Redis skipped"),
        }
    }
}

/// Whether `err` says Redis is unreachable (as opposed to Redis answering with an error).
fn is_outage(err: &redis::RedisError) -> bool {
    err.is_io_error()
        || err.is_timeout()
        || err.is_connection_dropped()
        || err.is_connection_refusal()
        || err.is_unrecoverable_error()
        || err.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::BusyLoading)
}

#[derive(Clone)]
pub struct SharedRedis {
    /// Opens dedicated connections (pub/sub subscribers need their own).
    pub client: redis::Client,
    /// For commands: reconnects by itself; cheap to clone (one multiplexed connection).
    /// Private: commands go through [`Self::run`].
    connection: ConnectionManager,
    namespace: String,
    limits: RedisLimits,
    breaker: Arc<CircuitBreaker>,
}

impl SharedRedis {
    pub fn new(
        client: redis::Client,
        connection: ConnectionManager,
        namespace: &str,
        limits: RedisLimits,
    ) -> Self {
        // A probe gets the same time as any call, plus a margin for a slow reconnect.
        let probe_timeout = limits.call_timeout.saturating_mul(4);
        Self {
            client,
            connection,
            namespace: namespace.trim_end_matches(':').to_owned(),
            limits,
            breaker: Arc::new(CircuitBreaker::new(
                "Redis",
                limits.cool_down,
                probe_timeout,
            )),
        }
    }

    /// `<namespace>:<suffix>`.
    pub fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.namespace)
    }

    /// Runs `call` on the shared connection, unless the circuit is open, for at most the
    /// call timeout. Callers treat every error as "Redis has no answer" and go on without it.
    pub async fn run<T, F, Fut>(&self, call: F) -> Result<T, RedisCallError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if !self.breaker.admit() {
            return Err(RedisCallError::CircuitOpen);
        }
        let timeout = self.limits.call_timeout;
        match tokio::time::timeout(timeout, call(self.connection.clone())).await {
            Ok(Ok(value)) => {
                self.breaker.succeeded();
                Ok(value)
            }
            Ok(Err(err)) => {
                if is_outage(&err) {
                    self.breaker.failed(&err);
                } else {
                    // Redis answered: it is up, whatever it said.
                    self.breaker.succeeded();
                }
                Err(err.into())
            }
            Err(_) => {
                let err = RedisCallError::TimedOut(timeout);
                self.breaker.failed(&err);
                Err(err)
            }
        }
    }

    /// `PING` through the breaker: `true` when Redis answers now.
    pub async fn ping(&self) -> bool {
        self.run(|mut connection| async move {
            redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await
        })
        .await
        .is_ok()
    }

    /// The breaker's counters (for `/metrics`).
    pub fn breaker_stats(&self) -> &Arc<BreakerStats> {
        self.breaker.stats()
    }
}
