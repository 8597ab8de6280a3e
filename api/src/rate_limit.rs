//! Per-client rate limits: a fixed window of `RATE_LIMIT_REQUESTS` requests per
//! `RATE_LIMIT_WINDOW_SECS` on `/graphql` (HTTP requests and websocket operations alike), and
//! the other allowances of `schema::common::budget` (sign-ins, discount codes) on the same
//! counters.
//!
//! Clients are told apart by account when they send a valid access token (so many shoppers
//! behind one office NAT do not starve each other), otherwise by IP address — IPv6 by its
//! /64 prefix, since one host usually holds the whole prefix. With Redis configured the
//! counters live there and every replica enforces one shared budget; otherwise each process
//! counts on its own.
//!
//! A fixed window is the cheapest scheme that a single atomic Redis round trip can enforce
//! (`INCRBY` + `EXPIRE` in one transaction). Its known weakness, up to twice the budget across
//! a window boundary, is acceptable for abuse protection.
//!
//! When Redis fails (or its circuit is open, see `SharedRedis::run`), each process counts in
//! its own counters until Redis is back: an unavailable cache must neither take the API down
//! nor switch the limits off. During an outage the budget is per replica.

use crate::server::ServerState;
use crate::viewer;
use axum::Json;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
pub use schema::common::budget::Verdict;
use schema::common::budget::{Allowance, Budgets, ClientId};
use schema::common::shared_redis::SharedRedis;
use serde_json::json;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Who a request is counted against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClientKey {
    Account(uuid::Uuid),
    Address(String),
}

impl ClientKey {
    fn as_key(&self) -> String {
        match self {
            ClientKey::Account(id) => format!("account:{id}"),
            ClientKey::Address(address) => format!("ip:{address}"),
        }
    }

    /// The client as the schema's allowances know it.
    pub fn id(&self) -> ClientId {
        ClientId::new(self.as_key())
    }

    /// IPv4 addresses as they are; IPv6 addresses by their /64 network.
    pub fn from_ip(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => ClientKey::Address(v4.to_string()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey::Address(v4.to_string()),
                None => {
                    let s = v6.segments();
                    ClientKey::Address(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
                }
            },
        }
    }
}

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
        self.count(Allowance::Requests, &client.as_key(), 1).await
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

/// The client's address: the peer, or with trusted proxies in front, the entry those proxies
/// appended to `X-Forwarded-For`.
pub fn client_ip(
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    trusted_proxy_hops: usize,
) -> Option<IpAddr> {
    if trusted_proxy_hops == 0 {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    // Each proxy appends the address it saw, so the N-th entry from the right was written by
    // our outermost trusted proxy; anything left of it is the client's to forge.
    forwarded
        .len()
        .checked_sub(trusted_proxy_hops)
        .and_then(|i| forwarded.get(i))
        .and_then(|v| v.parse().ok())
        .or(peer)
}

tokio::task_local! {
    /// The client of the HTTP request being served, for the allowances the schema counts
    /// (sign-ins, discount codes): set around the `/graphql` handler by [`enforce`].
    static CLIENT: ClientKey;
}

/// The client of the current `/graphql` request (`None` outside one).
pub fn current_client() -> Option<ClientId> {
    CLIENT.try_with(ClientKey::id).ok()
}

/// Middleware on `/graphql`: counts the request and answers 429 once the budget is spent.
/// Every answer carries the `RateLimit-*` headers so clients can pace themselves.
pub async fn enforce(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    let client = client_key(&state, &request);
    let Some(verdict) = state.rate_limiter.check(&client).await else {
        return CLIENT.scope(client, next.run(request)).await;
    };
    let mut response = if verdict.allowed {
        CLIENT.scope(client, next.run(request)).await
    } else {
        tracing::info!(client = ?client, "rate limit reached");
        too_many_requests(verdict)
    };
    add_headers(response.headers_mut(), verdict);
    response
}

/// Who `request` is counted against.
pub fn client_key(state: &ServerState, request: &Request) -> ClientKey {
    // An invalid token is counted by address: a flood of forged tokens is still limited.
    if let Ok(viewer) = viewer::from_headers(state, request.headers())
        && let Some(account) = viewer.account_id()
    {
        return ClientKey::Account(account);
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    match client_ip(request.headers(), peer, state.options.trusted_proxy_hops) {
        Some(ip) => ClientKey::from_ip(ip),
        None => ClientKey::Address("unknown".to_owned()),
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

fn too_many_requests(verdict: Verdict) -> Response {
    let retry_after = verdict.retry_after_secs();
    let body = json!({ "errors": [{
        "message": refusal_message(verdict),
        "extensions": { "code": "RATE_LIMITED", "retryAfter": retry_after },
    }]});
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

fn add_headers(headers: &mut HeaderMap, verdict: Verdict) {
    static LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
    static REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
    static RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
    headers.insert(LIMIT.clone(), HeaderValue::from(verdict.limit));
    headers.insert(REMAINING.clone(), HeaderValue::from(verdict.remaining));
    headers.insert(RESET.clone(), HeaderValue::from(verdict.retry_after_secs()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_ipv6_by_prefix() {
        let a = ClientKey::from_ip(
            "2001:db8:1:2:aaaa::1"
                .parse()
                .unwrap_or(IpAddr::from([0; 4])),
        );
        let b = ClientKey::from_ip(
            "2001:db8:1:2:bbbb::9"
                .parse()
                .unwrap_or(IpAddr::from([0; 4])),
        );
        let c = ClientKey::from_ip("2001:db8:1:3::1".parse().unwrap_or(IpAddr::from([0; 4])));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            ClientKey::from_ip("::ffff:10.0.0.1".parse().unwrap_or(IpAddr::from([0; 4]))),
            ClientKey::Address("10.0.0.1".to_owned())
        );
    }

    #[test]
    fn trusts_only_the_configured_proxy_hops() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7, 10.0.0.2"),
        );
        let peer = Some(IpAddr::from([10, 0, 0, 1]));
        assert_eq!(client_ip(&headers, peer, 0), peer);
        assert_eq!(
            client_ip(&headers, peer, 1),
            Some(IpAddr::from([10, 0, 0, 2]))
        );
        assert_eq!(
            client_ip(&headers, peer, 2),
            Some(IpAddr::from([203, 0, 113, 7]))
        );
        // More hops than entries: the header cannot be trusted; fall back to the peer.
        assert_eq!(client_ip(&headers, peer, 4), peer);
    }

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
