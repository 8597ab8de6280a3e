//! Per-client rate limits: a fixed window of `RATE_LIMIT_REQUESTS` requests per
//! `RATE_LIMIT_WINDOW_SECS` on `/graphql` (HTTP requests and websocket operations alike), and
//! the other allowances of `schema::common::budget` (sign-ins, discount codes) on the same
//! counters.
//!
//! Clients are counted by `client::ClientKey` (account, else address). With Redis configured
//! the counters live there and every replica enforces one shared budget; otherwise each
//! process counts on its own. This module only counts; `request_budget` answers HTTP
//! requests with it and `websocket_operations` websocket operations.
//!
//! A fixed window is the cheapest scheme that a single atomic Redis round trip can enforce
//! (`INCRBY` + `EXPIRE` in one transaction). Its known weakness, up to twice the budget across
//! a window boundary, is acceptable for abuse protection.
//!
//! When Redis fails (or its circuit is open, see `SharedRedis::run`), each process counts in
//! its own counters until Redis is back: an unavailable cache must neither take the API down
//! nor switch the limits off. During an outage the budget is per replica.

use crate::client::ClientKey;
use futures_util::future::BoxFuture;
pub use schema::common::budget::Verdict;
use schema::common::budget::{Allowance, Budgets};
use schema::common::shared_redis::SharedRedis;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One allowance's budget: `max` uses per `window` (`max == 0`: not limited).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            // A zero-length window would divide by zero.
            window: window.max(Duration::from_secs(1)),
        }
    }
}

enum Counters {
    Local(Mutex<LocalWindows>),
    /// Shared counters, with in-process ones for when Redis does not answer.
    Redis(Box<SharedRedis>, Mutex<LocalWindows>),
}

/// In-process counters: one entry per allowance and subject for its current window.
#[derive(Default)]
struct LocalWindows {
    /// `(window end in seconds since the epoch, uses)`.
    counts: HashMap<String, (u64, u32)>,
}

/// Entries kept before stale windows are swept, bounding memory under address floods.
const LOCAL_SWEEP_AT: usize = 50_000;

pub struct RateLimiter {
    limits: HashMap<Allowance, Limit>,
    counters: Counters,
}

impl RateLimiter {
    /// Requests limited to `limit` per `window` (`limit == 0` turns that off); other
    /// allowances are added with [`RateLimiter::with`].
    pub fn new(limit: u32, window: Duration, redis: Option<SharedRedis>) -> Self {
        let counters = match redis {
            Some(redis) => Counters::Redis(Box::new(redis), Mutex::new(LocalWindows::default())),
            None => Counters::Local(Mutex::new(LocalWindows::default())),
        };
        Self {
            limits: HashMap::new(),
            counters,
        }
        .with(Allowance::Requests, Limit::new(limit, window))
    }

    /// Limits `allowance` too.
    pub fn with(mut self, allowance: Allowance, limit: Limit) -> Self {
        if limit.max > 0 {
            self.limits.insert(allowance, limit);
        } else {
            self.limits.remove(&allowance);
        }
        self
    }

    /// Counts one request of `client`; `None` when rate limiting is off.
    pub async fn check(&self, client: &ClientKey) -> Option<Verdict> {
        self.count(Allowance::Requests, client.id().as_str(), 1)
            .await
    }

    async fn count(&self, allowance: Allowance, subject: &str, amount: u32) -> Option<Verdict> {
        let limit = self.limits.get(&allowance)?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
        let window_secs = limit.window.as_secs();
        let window_index = now.as_secs() / window_secs;
        let window_end = (window_index + 1) * window_secs;
        let key = format!("{}:{subject}", allowance.name());
        let count = match &self.counters {
            Counters::Local(windows) => {
                count_locally(windows, key, window_end, now.as_secs(), amount)?
            }
            Counters::Redis(redis, fallback) => {
                match count_in_redis(redis, &key, window_index, window_secs, amount).await {
                    Some(count) => count,
                    None => count_locally(fallback, key, window_end, now.as_secs(), amount)?,
                }
            }
        };
        Some(Verdict {
            allowed: count <= limit.max,
            limit: limit.max,
            remaining: limit.max.saturating_sub(count),
            reset_after: Duration::from_secs(window_end).saturating_sub(now),
        })
    }
}

impl Budgets for RateLimiter {
    fn spend<'a>(
        &'a self,
        allowance: Allowance,
        subject: &'a str,
        amount: u32,
    ) -> BoxFuture<'a, Option<Verdict>> {
        Box::pin(self.count(allowance, subject, amount))
    }
}

fn count_locally(
    windows: &Mutex<LocalWindows>,
    key: String,
    window_end: u64,
    now_secs: u64,
    amount: u32,
) -> Option<u32> {
    let mut windows = windows.lock().ok()?;
    if windows.counts.len() >= LOCAL_SWEEP_AT {
        windows.counts.retain(|_, (end, _)| *end > now_secs);
    }
    let entry = windows.counts.entry(key).or_insert((window_end, 0));
    if entry.0 != window_end {
        *entry = (window_end, 0);
    }
    entry.1 = entry.1.saturating_add(amount);
    Some(entry.1)
}

/// The one Redis round trip of a count: the window's counter raised by `amount`.
async fn count_in_redis(
    redis: &SharedRedis,
    key: &str,
    window_index: u64,
    window_secs: u64,
    amount: u32,
) -> Option<u32> {
    let key = redis.key(&format!("ratelimit:{key}:{window_index}"));
    // One transaction: the counter and its expiry can never be separated by a crash.
    let pipeline = redis::pipe()
        .atomic()
        .incr(&key, amount)
        .expire(&key, i64::try_from(window_secs + 1).unwrap_or(i64::MAX))
        .ignore()
        .clone();
    let counted = redis
        .run(|mut connection| async move { pipeline.query_async::<(u32,)>(&mut connection).await })
        .await;
    match counted {
        Ok((count,)) => Some(count),
        Err(err) => {
            err.log("rate limit counter (counting in process instead)");
            None
        }
    }
}

/// What a client over its request budget is told (HTTP and websockets alike).
pub fn refusal_message(verdict: Verdict) -> String {
    format!(
        "too many requests: this client may send {} requests per window; try again in {} s",
        verdict.limit,
        verdict.retry_after_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_windows_count_per_client_and_reset() {
        let limiter = RateLimiter::new(2, Duration::from_secs(3600), None);
        let alice = ClientKey::Address("192.0.2.1".to_owned());
        let bob = ClientKey::Address("192.0.2.2".to_owned());
        let first = limiter.check(&alice).await;
        let second = limiter.check(&alice).await;
        let third = limiter.check(&alice).await;
        assert_eq!(first.map(|v| (v.allowed, v.remaining)), Some((true, 1)));
        assert_eq!(second.map(|v| (v.allowed, v.remaining)), Some((true, 0)));
        assert_eq!(third.map(|v| (v.allowed, v.remaining)), Some((false, 0)));
        assert_eq!(limiter.check(&bob).await.map(|v| v.allowed), Some(true));
        assert!(
            RateLimiter::new(0, Duration::from_secs(1), None)
                .check(&alice)
                .await
                .is_none()
        );
    }

    #[tokio::test]
    async fn allowances_count_apart_and_by_amount() {
        let limiter = RateLimiter::new(0, Duration::from_secs(3600), None)
            .with(Allowance::SignIns, Limit::new(3, Duration::from_secs(3600)));
        let alice = ClientKey::Address("192.0.2.1".to_owned());
        assert!(
            limiter.check(&alice).await.is_none(),
            "requests are not limited"
        );
        let spend = |amount| limiter.spend(Allowance::SignIns, "ip:192.0.2.1", amount);
        assert_eq!(
            spend(2).await.map(|v| (v.allowed, v.remaining)),
            Some((true, 1))
        );
        assert_eq!(
            spend(2).await.map(|v| (v.allowed, v.remaining)),
            Some((false, 0))
        );
        assert!(
            limiter
                .spend(Allowance::CodesPerCart, "cart:1", 1)
                .await
                .is_none(),
            "an allowance without a limit is not counted"
        );
    }
}
