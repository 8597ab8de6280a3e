//! Backing services going away: requests never hang on them. Redis is disposable (its users
//! fall back in process); an unreachable database fails requests fast with a retryable 503.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod database;
mod redis;

use e2e::{GraphqlResponse, TestServer};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The storefront grid an anonymous shopper asks for (cacheable, public).
async fn anonymous_grid(server: &TestServer, n: usize) -> anyhow::Result<GraphqlResponse> {
    server
        .graphql(
            "query Grid($n: Int!) { products(first: $n) { nodes { id slug } } }",
            json!({ "n": n }),
        )
        .await
}

/// `/readyz`: status and body.
async fn ready(server: &TestServer) -> anyhow::Result<(u16, Value)> {
    let response = server.http().get(server.url("/readyz")).send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

/// Polls `check` until it holds, for at most 30 s (recovery involves backoffs of a few
/// seconds; the machine may be loaded).
async fn wait_for<F, Fut>(what: &str, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if check().await? {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
