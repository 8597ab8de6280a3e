//! Per-client rate limits: HTTP 429 with a GraphQL-shaped error, recovery when the window
//! ends, separate budgets per account, one budget shared by replicas through Redis, one
//! budget for HTTP and websocket operations, and the stricter sign-in budget on both.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestRedis, TestServer, WsProtocol, e2e};
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

/// Waits until the next window begins, so a burst of requests falls in one window that
/// nothing earlier in the test spent from. (It used to return at once when the current window
/// was under 100 ms old — which it could be just after a sign-in whose requests fell in it,
/// and then the burst found that window's budget partly spent.)
async fn at_window_start() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let window_ms = u128::from(WINDOW_SECS * 1000);
    let wait = u64::try_from(window_ms - now.as_millis() % window_ms).unwrap();
    tokio::time::sleep(Duration::from_millis(wait)).await;
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
        config.server.rate_limit_requests = limit;
        config.server.rate_limit_window_secs = WINDOW_SECS;
        if let Some(redis) = redis {
            config.cache.redis_url = Some(redis.url.clone());
            config.cache.redis_namespace = redis.namespace.clone();
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

/// For the tests that count without waiting for a window: a window this long practically
/// never ends during a test.
const LONG_WINDOW_SECS: u64 = 86_400;

fn assert_refused_rate_limited(payload: &serde_json::Value) {
    let error = &payload["errors"][0];
    assert_eq!(error["extensions"]["code"], "RATE_LIMITED", "{payload}");
    assert!(error["extensions"]["retryAfter"].as_u64().unwrap() >= 1);
}

async fn websocket_operations_spend_the_http_budget(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::start(backend, 0, |config| {
        config.server.rate_limit_requests = 6;
        config.server.rate_limit_window_secs = LONG_WINDOW_SECS;
    })
    .await?;
    // The upgrade is one request; two more over HTTP, three operations over the socket.
    let mut socket = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    for _ in 0..2 {
        assert_eq!(ask(&server, None).await?.status, 200);
    }
    for id in ["1", "2", "3"] {
        let answer = socket.run(id, QUERY, json!({})).await?;
        assert!(answer["data"]["categories"].is_object(), "{answer}");
    }
    // Spent, on both transports.
    let refused = socket.run("4", QUERY, json!({})).await?;
    assert_refused_rate_limited(&refused);
    assert!(refused["data"].is_null(), "{refused}");
    let over_http = ask(&server, None).await?;
    assert_eq!(over_http.status, 429, "{}", over_http.body);
    let subscription = socket
        .run("5", "subscription { stockChanged { sku } }", json!({}))
        .await?;
    assert_refused_rate_limited(&subscription);
    server.stop().await
}
e2e!(websocket_operations_spend_the_http_budget);

async fn sign_in_attempts_have_their_own_budget_on_both_transports(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::start(backend, 0, |config| {
        config.auth.sign_in_attempts = 4;
        config.auth.sign_in_window_secs = LONG_WINDOW_SECS;
    })
    .await?;
    let register = "mutation { customerRegister(input: { email: \"jane@example.com\", password: \"correct horse battery\" }) { userErrors { code } } }";
    let registered = server.graphql(register, json!({})).await?;
    assert_eq!(
        registered.data()["customerRegister"]["userErrors"],
        json!([])
    );
    let attempt = |password: &str| {
        format!(
            "tokenCreate(email: \"jane@example.com\", password: \"{password}\") {{ accessToken userErrors {{ code }} }}"
        )
    };

    // Two aliased guesses over HTTP count as two.
    let two = format!(
        "mutation {{ a: {} b: {} }}",
        attempt("guess one"),
        attempt("guess two")
    );
    let guessed = server.graphql(&two, json!({})).await?;
    for alias in ["a", "b"] {
        assert_eq!(
            guessed.data()[alias]["userErrors"][0]["code"],
            "INVALID_CREDENTIALS"
        );
    }
    // One over a websocket, and the right password over HTTP: four.
    let mut socket = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    let third = socket
        .run(
            "1",
            &format!("mutation {{ {} }}", attempt("guess three")),
            json!({}),
        )
        .await?;
    assert_eq!(
        third["data"]["tokenCreate"]["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    assert!(
        !server
            .sign_in("jane@example.com", "correct horse battery")
            .await?
            .is_empty()
    );

    // Spent: refused before any password is checked, even the right one, on both.
    let right = format!("mutation {{ {} }}", attempt("correct horse battery"));
    let over_socket = socket.run("2", &right, json!({})).await?;
    assert_refused_rate_limited(&over_socket);
    assert_eq!(over_socket["errors"][0]["path"], json!(["tokenCreate"]));
    let over_http = server.graphql(&right, json!({})).await?;
    assert_eq!(over_http.status, 200);
    assert_refused_rate_limited(&over_http.body);
    // The general request budget is untouched by it.
    assert_eq!(ask(&server, None).await?.status, 200);
    server.stop().await
}
e2e!(sign_in_attempts_have_their_own_budget_on_both_transports);
