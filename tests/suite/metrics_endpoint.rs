//! `/metrics` stays off the public API port in production: it is served on its own address
//! (`METRICS_BIND`, 127.0.0.1:9100 by default), optionally behind a bearer token.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use shopgraph::config::Config;

const TOKEN: &str = "a scrape token";

async fn production(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
) -> anyhow::Result<TestServer> {
    TestServer::start(backend, 0, |c| {
        c.server.production = true;
        c.auth.jwt_secret = "a production secret of at least 32 bytes".parse().ok();
        configure(c);
    })
    .await
}

async fn scrape(
    server: &TestServer,
    url: String,
    token: Option<&str>,
) -> anyhow::Result<(u16, String)> {
    let mut request = server.http().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    Ok((response.status().as_u16(), response.text().await?))
}

async fn production_serves_metrics_apart_from_the_api(backend: Backend) -> anyhow::Result<()> {
    // The default address in production, local to the host or pod.
    let mut defaults = Config::with_database("sqlite::memory:");
    assert_eq!(
        defaults.server.metrics_address(),
        None,
        "development: on the API port"
    );
    defaults.server.production = true;
    assert_eq!(
        defaults.server.metrics_address(),
        Some("127.0.0.1:9100".parse()?),
        "production"
    );

    let server = production(backend.clone(), |_| {}).await?;
    let (status, _) = scrape(&server, server.url("/metrics"), None).await?;
    assert_eq!(status, 404, "/metrics on the API port");
    let addr = server
        .metrics_addr
        .expect("a metrics listener in production");
    let (status, text) = scrape(&server, format!("http://{addr}/metrics"), None).await?;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("shopgraph_http_requests"), "{text}");
    // The API is not served there.
    let (status, _) = scrape(&server, format!("http://{addr}/graphql"), None).await?;
    assert_eq!(status, 404);
    server.stop().await?;

    // With a token, a scrape without it (or with another) is refused.
    let guarded = production(backend.clone(), |c| {
        c.server.metrics_token = Some(TOKEN.into())
    })
    .await?;
    let url = format!("http://{}/metrics", guarded.metrics_addr.unwrap());
    assert_eq!(scrape(&guarded, url.clone(), None).await?.0, 401);
    assert_eq!(scrape(&guarded, url.clone(), Some("a guess")).await?.0, 401);
    let (status, text) = scrape(&guarded, url, Some(TOKEN)).await?;
    assert_eq!(status, 200, "{text}");
    guarded.stop().await?;

    // In development /metrics stays on the API port, and the token applies there too.
    let development =
        TestServer::start(backend, 0, |c| c.server.metrics_token = Some(TOKEN.into())).await?;
    assert!(development.metrics_addr.is_none());
    let url = development.url("/metrics");
    assert_eq!(scrape(&development, url.clone(), None).await?.0, 401);
    assert_eq!(scrape(&development, url, Some(TOKEN)).await?.0, 200);
    development.stop().await
}
e2e!(production_serves_metrics_apart_from_the_api);
