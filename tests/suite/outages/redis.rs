//! Redis is disposable: while it is unreachable requests take their in-process paths at once
//! (response cache, persisted queries, rate limits), `/readyz` stays 200 with Redis
//! `degraded`, and once it is back the replicas share state through it again.

use super::{anonymous_grid, ready, wait_for};
use e2e::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TcpProxy, TestRedis, TestServer, e2e};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// The budget of the rate limiter, per client and window (an hour: no window ends mid-test
/// but by a rare accident, which the loops below tolerate).
const LIMIT: u32 = 40;

async fn requests_keep_answering_while_redis_is_down(backend: Backend) -> anyhow::Result<()> {
    let Some(redis) = TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let proxy = TcpProxy::start(redis_addr(&redis.url).await?).await?;
    let configure = |c: &mut shopgraph::config::Config, url: String| {
        c.cache.redis_url = Some(url);
        c.cache.redis_namespace = redis.namespace.clone();
        c.cache.response_cache_entries = 1000;
        c.server.rate_limit_requests = LIMIT;
        c.server.rate_limit_window_secs = 3600;
    };
    // The replica under test reaches Redis through the proxy; a second one directly.
    let server = TestServer::start(backend, 12, |c| {
        configure(c, format!("redis://{}", proxy.addr));
        c.auth.admin_email = Some(ADMIN_EMAIL.into());
        c.auth.admin_password = Some(ADMIN_PASSWORD.into());
    })
    .await?;
    let other = server
        .replica(|c| {
            configure(c, redis.url.clone());
            // Only the first replica relays, so events wait for it (and its Redis).
            c.events.outbox_relay = false;
        })
        .await?;
    let result = outage(&server, &other, &proxy).await;
    server.stop().await?;
    other.stop().await?;
    redis.cleanup().await?;
    result
}
e2e!(requests_keep_answering_while_redis_is_down);

async fn outage(server: &TestServer, other: &TestServer, proxy: &TcpProxy) -> anyhow::Result<()> {
    let token = server.admin_token().await?;
    let all = anonymous_grid(server, 10).await?;
    assert_eq!(all.status, 200, "{}", all.body);
    let expected = slugs(all.data());
    assert_eq!(ready(server).await?.1["checks"]["redis"], "ok");

    proxy.cut();

    // Anonymous catalog requests answer at once from the database, with the right data.
    // Before the breaker each waited for the connection manager's reconnect round: 6.3 to
    // 12.6 s (9.4 s on average) per request.
    let started = Instant::now();
    for n in 1..=10 {
        let page = anonymous_grid(server, n).await?;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(slugs(page.data()), expected[..n], "first {n}");
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(5),
        "ten anonymous requests took {elapsed:?} with Redis down"
    );

    // Readiness: degraded, not down — the load balancer keeps the replica.
    let (status, body) = ready(server).await?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["checks"]["redis"], "degraded", "{body}");
    assert_eq!(body["checks"]["database"], "ok", "{body}");
    let metrics = server.get_text("/metrics").await?;
    assert!(
        metrics.contains("shopgraph_redis_circuit_open 1"),
        "{metrics}"
    );

    // Persisted queries: registered and answered from the in-process store.
    let during = "query During($n: Int!) { products(first: $n) { nodes { slug } } }";
    let registered = persisted(server, during, true).await?;
    assert_eq!(
        registered["data"]["products"]["nodes"][0]["slug"],
        expected[0]
    );
    let by_hash = persisted(server, during, false).await?;
    assert_eq!(by_hash["data"], registered["data"], "{by_hash}");

    // A write: its event waits in the outbox until Redis is back (nothing is lost).
    let product = &all.data()["products"]["nodes"][0]["id"];
    let renamed = server
        .graphql_as(
            Some(&token),
            "mutation($id: ID!) { productUpdate(id: $id, input: { name: \"Written During The Outage\" }) { userErrors { message } } }",
            json!({ "id": product }),
        )
        .await?;
    assert_eq!(renamed.data()["productUpdate"]["userErrors"], json!([]));
    let db = &server.app.app.db;
    assert!(schema::events::outbox::pending_count(db).await? >= 1);

    // Rate limits go on, counted in process: the budget is not switched off.
    let mut limited = false;
    for _ in 0..2 * LIMIT + 2 {
        let page = anonymous_grid(server, 1).await?;
        if page.status == 429 {
            assert_eq!(page.error_code(), Some("RATE_LIMITED"), "{}", page.body);
            limited = true;
            break;
        }
        assert_eq!(page.status, 200, "{}", page.body);
    }
    assert!(limited, "the in-process budget never ran out");

    let other_received = other.app.app.events.stats().snapshot().received_from_redis;
    proxy.restore();

    // Readiness probes Redis after the cool-down and sees it back.
    wait_for("Redis reported ok again", || async {
        Ok(ready(server).await?.1["checks"]["redis"] == "ok")
    })
    .await?;
    // The shared counters are used again: this client used few of them before the cut.
    let page = anonymous_grid(server, 2).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    // A persisted query registered now is known to the other replica through Redis.
    let after = "query After($n: Int!) { products(first: $n) { nodes { name } } }";
    persisted(server, after, true).await?;
    let elsewhere = persisted(other, after, false).await?;
    assert!(
        elsewhere["errors"].is_null(),
        "the other replica does not know the query: {elsewhere}"
    );
    // The event written during the outage goes out through Redis once it is back.
    wait_for("the outage's event reached the other replica", || async {
        let received = other.app.app.events.stats().snapshot().received_from_redis;
        Ok(received > other_received)
    })
    .await?;
    // The first replica's event bridge subscribed again and receives what is published.
    let events = || server.app.app.events.stats().snapshot();
    wait_for("the event bridge resubscribed", || async {
        Ok(events().redis_resubscriptions >= 1)
    })
    .await?;
    let received = events().received_from_redis;
    let renamed = server
        .graphql_as(
            Some(&token),
            "mutation($id: ID!) { productUpdate(id: $id, input: { name: \"Written After The Outage\" }) { userErrors { message } } }",
            json!({ "id": product }),
        )
        .await?;
    assert_eq!(renamed.data()["productUpdate"]["userErrors"], json!([]));
    wait_for("the first replica's bridge receives again", || async {
        Ok(events().received_from_redis > received)
    })
    .await?;
    Ok(())
}

/// The slugs of a products grid.
fn slugs(data: &Value) -> Vec<String> {
    data["products"]["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .filter_map(|n| n["slug"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// An automatic persisted query: the hash with the document (`register`) or alone.
async fn persisted(server: &TestServer, query: &str, register: bool) -> anyhow::Result<Value> {
    let hash = hex::encode(Sha256::digest(query.as_bytes()));
    let mut body = json!({
        "variables": { "n": 1 },
        "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } },
    });
    if register {
        body["query"] = json!(query);
    }
    let response = server
        .http()
        .post(server.url("/graphql"))
        .json(&body)
        .send()
        .await?;
    Ok(response.json().await?)
}

/// The address of a `redis://host:port` URL.
async fn redis_addr(url: &str) -> anyhow::Result<std::net::SocketAddr> {
    let authority = url
        .trim_start_matches("redis://")
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    tokio::net::lookup_host(authority)
        .await?
        .next()
        .ok_or_else(|| anyhow::anyhow!("TEST_REDIS_URL names no address"))
}
