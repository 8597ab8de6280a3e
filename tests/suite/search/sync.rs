//! The index follows the database through the outbox, and an unreachable engine never holds
//! up a write: the changes wait in the search queue and reach the engine when it is back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::Engine;
use super::fixture::{Catalog, SEARCH, names};
use e2e::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TcpProxy, TestServer, e2e};
use serde_json::json;
use std::time::{Duration, Instant};

const CREATE: &str = "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id name } userErrors { message } } }";

async fn writes_succeed_while_the_engine_is_unreachable(backend: Backend) -> anyhow::Result<()> {
    // Nothing listens on the discard port: every engine call is refused.
    let server = TestServer::start(backend, 0, |c| {
        c.auth.admin_email = Some(ADMIN_EMAIL.into());
        c.auth.admin_password = Some(ADMIN_PASSWORD.into());
        c.search.meilisearch_url = Some("http://127.0.0.1:9".into());
        c.events.outbox_poll_ms = 100;
    })
    .await?;
    let admin = server.admin_token().await?;
    let created = server
        .graphql_as(
            Some(&admin),
            CREATE,
            json!({ "input": { "name": "Offline Parka", "status": "ACTIVE" } }),
        )
        .await?;
    assert_eq!(
        created.data()["productCreate"]["product"]["name"],
        "Offline Parka",
        "{}",
        created.body
    );

    // The change waits in the search queue (the relay handed it over; the sync keeps failing).
    let db = &server.app.app.db;
    let deadline = Instant::now() + Duration::from_secs(20);
    while schema::search::queue::backlog(db).await? == 0 {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the product never reached the search queue"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (indexed, failures) = server.app.app.search.stats.snapshot();
    assert_eq!(indexed, 0);
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.app.app.search.stats.snapshot().1 == 0 {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the sync never tried (failures {failures})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        schema::search::queue::backlog(db).await?,
        1,
        "kept for the retry"
    );

    // Readiness names the engine but stays 200 (carts and checkout work: degraded, not
    // down); searches get a retryable error without internals.
    let ready = server.http().get(server.url("/readyz")).send().await?;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await?;
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["checks"]["search"], "unreachable", "{body}");
    assert_eq!(body["checks"]["database"], "ok");
    let search = server.graphql(SEARCH, json!({ "query": "parka" })).await?;
    assert_eq!(
        search.error_code(),
        Some("SERVICE_UNAVAILABLE"),
        "{}",
        search.body
    );
    assert!(
        !search.error_message().contains("127.0.0.1"),
        "{}",
        search.error_message()
    );
    let metrics = server.get_text("/metrics").await?;
    assert!(metrics.contains("search_queue_products 1"), "{metrics}");
    Ok(())
}
e2e!(writes_succeed_while_the_engine_is_unreachable);

/// Two replicas on one Meilisearch index: the syncing replica loses its route to the engine,
/// the other keeps answering searches from the last index, writes go on, and once the route
/// is back the index catches up with every change made meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_catches_up_after_the_engine_comes_back() -> anyhow::Result<()> {
    let Some(Engine::Meilisearch { url, key, index }) = Engine::meilisearch() else {
        eprintln!("skipped: set MEILISEARCH_URL to run on Meilisearch");
        return Ok(());
    };
    let target = tokio::net::lookup_host(url.trim_start_matches("http://").trim_end_matches('/'))
        .await?
        .next()
        .expect("MEILISEARCH_URL names a host");
    let proxy = TcpProxy::start(target).await?;
    let through_proxy = Engine::Meilisearch {
        url: format!("http://{}", proxy.addr),
        key: key.clone(),
        index: index.clone(),
    };
    // The first server syncs through the proxy.
    let catalog = Catalog::create(&through_proxy, Backend::sqlite()).await?;
    let direct = Engine::Meilisearch { url, key, index };
    let result = catch_up(&catalog, &proxy, &direct).await;
    direct.cleanup().await;
    result
}

async fn catch_up(catalog: &Catalog, proxy: &TcpProxy, direct: &Engine) -> anyhow::Result<()> {
    let reader = catalog
        .server
        .replica(|c| {
            direct.configure(c);
            c.search.search_sync = false;
        })
        .await?;

    proxy.cut();
    let update = "mutation($id: ID!, $input: ProductUpdateInput!) { productUpdate(id: $id, input: $input) { userErrors { message } } }";
    catalog
        .staff(
            update,
            json!({ "id": catalog.products["Linen Shirt"], "input": { "name": "Hemp Shirt" } }),
        )
        .await?;
    let parka = catalog
        .staff(
            CREATE,
            json!({ "input": { "name": "Storm Parka", "status": "ACTIVE" } }),
        )
        .await?;
    assert_eq!(parka["productCreate"]["product"]["name"], "Storm Parka");
    // Meanwhile searches on the other replica answer from the last index (the hit is
    // hydrated from the database, so it shows the new name; the highlight shows the indexed one).
    for _ in 0..5 {
        let old = reader.graphql(SEARCH, json!({ "query": "linen" })).await?;
        let hits = &old.data()["search"]["hits"];
        assert_eq!(hits.as_array().map(Vec::len), Some(1), "{}", old.body);
        assert_eq!(
            hits[0]["product"]["id"],
            catalog.products["Linen Shirt"].as_str()
        );
        assert_eq!(hits[0]["product"]["name"], "Hemp Shirt");
        assert_eq!(
            hits[0]["highlights"][0]["snippet"],
            "<mark>Linen</mark> Shirt"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let db = &catalog.server.app.app.db;
    assert!(schema::search::queue::backlog(db).await? >= 1);

    proxy.restore();
    catalog
        .wait_for(json!({ "query": "hemp" }), |r| names(r) == ["Hemp Shirt"])
        .await?;
    catalog
        .wait_for(json!({ "query": "parka" }), |r| names(r) == ["Storm Parka"])
        .await?;
    Ok(())
}
