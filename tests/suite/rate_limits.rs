//! Per-client rate limits: HTTP 429 with a GraphQL-shaped error, recovery when the window
//! ends, separate budgets per account, and one budget shared by replicas through Redis.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestRedis, TestServer, e2e};
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const QUERY: &str = "{ categories(first: 1) { nodes { slug } } }";
/// Windows long enough that a burst started at a window's beginning stays inside it even on a
/// loaded 2-core CI machine (the recovery test waits one window).
const WINDOW_SECS: u64 = 4;

struct Answer {
    status: u16,
    remaining: Option<u32>,
    retry_after: Option<u64>,
    body: serde_json::Value,
}

async fn ask(server: &TestServer, token: Option<&str>) -> anyhow::Result<Answer> {
    let response = server.post_as(token, QUERY, json!({})).await?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let remaining = header("ratelimit-remaining").and_then(|v| v.parse().ok());
    let retry_after = header("retry-after").and_then(|v| v.parse().ok());
    Ok(Answer {
        status: response.status().as_u16(),
        remaining,
        retry_after,
        body: response.json().await?,
    })
}

/// Waits until a fresh window has just begun, so a burst of requests falls in one window.
async fn at_window_start() {
    loop {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let into_window = now.as_millis() % u128::from(WINDOW_SECS * 1000);
        if into_window < 100 {
            return;
        }
        let wait = u64::try_from(u128::from(WINDOW_SECS * 1000) - into_window).unwrap();
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }
}

fn assert_rate_limited(answer: &Answer) {
    assert_eq!(answer.status, 429, "{}", answer.body);
    let error = &answer.body["errors"][0];
    assert_eq!(error["extensions"]["code"], "RATE_LIMITED");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("too many requests")
    );
    let retry_after = answer.retry_after.expect("Retry-After header");
    assert!((1..=WINDOW_SECS).contains(&retry_after));
    assert_eq!(error["extensions"]["retryAfter"], retry_after);
    assert_eq!(answer.remaining, Some(0));
    assert!(answer.body.get("data").is_none());
}

async fn limited_server(
    backend: Backend,
    limit: u32,
    redis: Option<&TestRedis>,
) -> anyhow::Result<TestServer> {
    TestServer::start(backend, 0, |config| {
        config.rate_limit_requests = limit;
        config.rate_limit_window_secs = WINDOW_SECS;
        if let Some(redis) = redis {
            config.redis_url = Some(redis.url.clone());
            config.redis_namespace = redis.namespace.clone();
        }
    })
    .await
}

async fn over_the_limit_answers_429_and_recovers(backend: Backend) -> anyhow::Result<()> {
    let server = limited_server(backend, 3, None).await?;
    at_window_start().await;
    for expected_remaining in [2, 1, 0] {
        let answer = ask(&server, None).await?;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.remaining, Some(expected_remaining));
        assert!(answer.body["data"]["categories"].is_object());
    }
    let refused = ask(&server, None).await?;
    assert_rate_limited(&refused);
    // Still refused while the window lasts: refusals do not reset anything.
    assert_rate_limited(&ask(&server, None).await?);

    tokio::time::sleep(Duration::from_secs(refused.retry_after.unwrap())).await;
    let recovered = ask(&server, None).await?;
    assert_eq!(recovered.status, 200, "{}", recovered.body);
    assert!(recovered.remaining.unwrap() >= 1);

    // Health checks and metrics are never rate limited.
    at_window_start().await;
    for _ in 0..4 {
        ask(&server, None).await?;
    }
    let health = server.http().get(server.url("/healthz")).send().await?;
    assert_eq!(health.status(), 200);
    server.stop().await
}
e2e!(over_the_limit_answers_429_and_recovers);

async fn signed_in_clients_have_their_own_budget(backend: Backend) -> anyhow::Result<()> {
    let server = limited_server(backend, 4, None).await?;
    // Registering and signing in spend this address's budget in some earlier window.
    let token = server.customer_token("budget@example.com").await?;
    at_window_start().await;
    for _ in 0..4 {
        assert_eq!(ask(&server, None).await?.status, 200);
    }
    assert_rate_limited(&ask(&server, None).await?);
    // Same address, but counted by account: not affected by the anonymous traffic.
    let signed_in = ask(&server, Some(&token)).await?;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(signed_in.remaining, Some(3));
    // A forged token is counted by address, so it cannot be used to dodge the limit.
    let forged = ask(&server, Some("not-a-token")).await?;
    assert_rate_limited(&forged);
    server.stop().await
}
e2e!(signed_in_clients_have_their_own_budget);

async fn replicas_share_one_budget_through_redis(backend: Backend) -> anyhow::Result<()> {
    let Some(redis) = TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let first = limited_server(backend.clone(), 4, Some(&redis)).await?;
    let second = limited_server(backend, 4, Some(&redis)).await?;
    at_window_start().await;
    for replica in [&first, &second, &first, &second] {
        assert_eq!(ask(replica, None).await?.status, 200);
    }
    // Four requests spread over two replicas used the one shared budget.
    assert_rate_limited(&ask(&first, None).await?);
    assert_rate_limited(&ask(&second, None).await?);
    assert!(
        redis
            .keys()
            .await?
            .iter()
            .any(|k| k.contains(":ratelimit:")),
        "the counters live in Redis"
    );
    let ready: serde_json::Value = first
        .http()
        .get(first.url("/readyz"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(ready["checks"]["redis"], "ok", "{ready}");
    first.stop().await?;
    second.stop().await?;
    redis.cleanup().await
}
e2e!(replicas_share_one_budget_through_redis);

async fn with_rate_limits_off_nothing_is_counted(backend: Backend) -> anyhow::Result<()> {
    let server = limited_server(backend, 0, None).await?;
    for _ in 0..10 {
        let answer = ask(&server, None).await?;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.remaining, None, "no RateLimit headers when off");
    }
    server.stop().await
}
e2e!(with_rate_limits_off_nothing_is_counted);
