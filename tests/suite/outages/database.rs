//! PostgreSQL going away: requests fail within the acquire timeout with HTTP 503 and the
//! retryable `SERVICE_UNAVAILABLE` (not 10 s and a 200 with `INTERNAL`), `/readyz` says 503
//! quickly, and service resumes when the database is back. SQLite cannot go away, so this
//! runs on PostgreSQL only.

use super::{anonymous_grid, ready, wait_for};
use e2e::{Backend, GraphqlResponse, TcpProxy, TestServer};
use serde_json::json;
use std::time::{Duration, Instant};

/// The bound the issue sets for an answer while the database is down (the acquire timeout
/// is 2 s by default).
const FAIL_FAST: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_fail_fast_with_503_while_the_database_is_down() -> anyhow::Result<()> {
    let Some(Backend::Postgres(admin_url)) = Backend::postgres() else {
        eprintln!("skipped: set TEST_DATABASE_URL to run on PostgreSQL");
        return Ok(());
    };
    let proxy = TcpProxy::start(postgres_addr(&admin_url).await?).await?;
    let server = TestServer::start(Backend::Postgres(admin_url), 5, |c| {
        let direct = c.database.database_url.clone().unwrap_or_default();
        c.database.database_url = Some(through(&direct, proxy.addr));
    })
    .await?;
    let before = anonymous_grid(&server, 3).await?;
    assert_eq!(before.status, 200, "{}", before.body);

    // The database stops: connections are refused (sqlx retries them until the deadline).
    proxy.refuse();

    let started = Instant::now();
    let grid = anonymous_grid(&server, 3).await?;
    let elapsed = started.elapsed();
    assert_unavailable(&grid);
    assert!(elapsed < FAIL_FAST, "the answer took {elapsed:?}");

    let started = Instant::now();
    let cart = server
        .graphql("mutation { cartCreate { cart { id } } }", json!({}))
        .await?;
    let elapsed = started.elapsed();
    assert_unavailable(&cart);
    assert!(elapsed < FAIL_FAST, "the mutation took {elapsed:?}");

    // Readiness answers quickly that this replica cannot serve; liveness is unaffected.
    let started = Instant::now();
    let (status, body) = ready(&server).await?;
    let elapsed = started.elapsed();
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["database"], "unreachable", "{body}");
    assert!(elapsed < FAIL_FAST, "/readyz took {elapsed:?}");
    let live = server.http().get(server.url("/healthz")).send().await?;
    assert_eq!(live.status(), 200);

    proxy.restore();
    wait_for("requests succeed again", || async {
        Ok(anonymous_grid(&server, 3).await?.status == 200)
    })
    .await?;
    let after = anonymous_grid(&server, 3).await?;
    assert_eq!(after.data(), before.data());
    assert_eq!(ready(&server).await?.0, 200);
    server.stop().await
}

fn assert_unavailable(answer: &GraphqlResponse) {
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert_eq!(
        answer.error_code(),
        Some("SERVICE_UNAVAILABLE"),
        "{}",
        answer.body
    );
    // Retryable and without internals: no host, no driver message.
    let message = answer.error_message();
    assert!(message.contains("try again"), "{message}");
    assert!(
        !message.contains("127.0.0.1") && !message.to_lowercase().contains("pool"),
        "{message}"
    );
}

/// The host and port of a `postgres://user@host:port/db` URL.
async fn postgres_addr(url: &str) -> anyhow::Result<std::net::SocketAddr> {
    let authority = authority(url);
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    };
    tokio::net::lookup_host(host_port)
        .await?
        .next()
        .ok_or_else(|| anyhow::anyhow!("TEST_DATABASE_URL names no address"))
}

/// `url` with its host and port replaced by `addr` (user, database and options kept).
fn through(url: &str, addr: std::net::SocketAddr) -> String {
    let authority = authority(url);
    let user = authority
        .rsplit_once('@')
        .map_or(String::new(), |(user, _)| format!("{user}@"));
    url.replacen(authority, &format!("{user}{addr}"), 1)
}

/// What lies between `://` and the path of `url`.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?']).next().unwrap_or(rest)
}
