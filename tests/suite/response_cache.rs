//! The read-through response cache: anonymous catalog answers are served from it without SQL,
//! and an event drops exactly the answers that showed what changed — on every replica, through
//! Redis when configured. Personal, staff and failed answers are never kept.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestRedis, TestServer, e2e};
use serde_json::{Value, json};
use shopgraph::config::Config;
use std::time::Duration;

const DETAIL: &str = "query($slug: String!) { product(slug: $slug) { name totalAvailable
    variants { id quantityAvailable } } }";
const GRID: &str = "{ products(first: 2) { nodes { slug name totalAvailable } } }";
const ADJUST: &str = "mutation($v: ID!, $w: ID!, $d: Int!) { stockAdjust(variantId: $v, warehouseId: $w, delta: $d, reason: \"count\") {
    userErrors { message } } }";
const RENAME: &str =
    "mutation($id: ID!, $name: String!) { productUpdate(id: $id, input: { name: $name }) {
    userErrors { message } } }";

fn cache_on(config: &mut Config) {
    config.cache.response_cache_entries = 1_000;
    config.auth.admin_email = Some(e2e::ADMIN_EMAIL.into());
    config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.into());
}

/// An answer as the client saw it: body, whether the cache served it, statements it cost.
struct Answer {
    body: Value,
    hit: bool,
    statements: usize,
}

async fn ask(server: &TestServer, query: &str, variables: Value) -> anyhow::Result<Answer> {
    ask_as(server, None, query, variables).await
}

async fn ask_as(
    server: &TestServer,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> anyhow::Result<Answer> {
    let response = server.post_as(token, query, variables).await?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let hit = header("x-response-cache").as_deref() == Some("hit");
    let statements = header("x-sql-statements")
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    Ok(Answer {
        body: response.json().await?,
        hit,
        statements,
    })
}

/// Asks until `done` holds (events drop cached answers shortly after the commit).
async fn ask_until(
    server: &TestServer,
    query: &str,
    variables: Value,
    done: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    for _ in 0..300 {
        let answer = ask(server, query, variables.clone()).await?;
        if done(&answer.body) {
            return Ok(answer.body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the cached answer never changed")
}

struct Shop {
    admin: String,
    /// Slugs of two products, the first variant and a warehouse of the first.
    slugs: [String; 2],
    product: String,
    variant: String,
    warehouse: String,
}

async fn shop(server: &TestServer) -> anyhow::Result<Shop> {
    let admin = server.admin_token().await?;
    // The products the anonymous grid shows, so the grid's answer depends on their stock.
    let grid = server
        .graphql_as(
            None,
            "{ products(first: 2) { nodes { id slug variants { id } } } }",
            json!({}),
        )
        .await?;
    let warehouses = server
        .graphql_as(Some(&admin), "{ warehouses { id } }", json!({}))
        .await?;
    let nodes = &grid.data()["products"]["nodes"];
    Ok(Shop {
        admin,
        slugs: [0, 1].map(|i| nodes[i]["slug"].as_str().unwrap().to_owned()),
        product: nodes[0]["id"].as_str().unwrap().to_owned(),
        variant: nodes[0]["variants"][0]["id"].as_str().unwrap().to_owned(),
        warehouse: warehouses.data()["warehouses"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    })
}

async fn catalog_answers_are_served_from_the_cache_until_what_they_show_changes(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::start(backend, 3, cache_on).await?;
    let shop = shop(&server).await?;
    let [first, second] = shop.slugs.clone().map(|slug| json!({ "slug": slug }));

    let miss = ask(&server, DETAIL, first.clone()).await?;
    assert!(
        !miss.hit && miss.statements > 0,
        "the first answer is computed"
    );
    let hit = ask(&server, DETAIL, first.clone()).await?;
    assert!(hit.hit, "the same query again is served from the cache");
    assert_eq!(hit.statements, 0, "a hit runs no SQL");
    assert_eq!(hit.body, miss.body, "byte for byte the same answer");
    let fresh = server
        .http()
        .post(server.url("/graphql"))
        .header("cache-control", "no-cache")
        .json(&json!({ "query": DETAIL, "variables": first }))
        .send()
        .await?;
    assert!(fresh.headers().get("x-response-cache").is_none());
    let statements = fresh.headers()["x-sql-statements"]
        .to_str()?
        .parse::<usize>()?;
    assert!(
        statements > 0,
        "Cache-Control: no-cache asks for a computed answer"
    );
    let other = ask(&server, DETAIL, second.clone()).await?;
    assert!(!other.hit, "other variables are another answer");
    ask(&server, GRID, json!({})).await?;

    // Stock of the first product changes: its page and the grid showing it are dropped, the
    // second product's page stays.
    let before = miss.body["data"]["product"]["totalAvailable"]
        .as_i64()
        .unwrap();
    let adjusted = server
        .graphql_as(
            Some(&shop.admin),
            ADJUST,
            json!({ "v": shop.variant, "w": shop.warehouse, "d": 7 }),
        )
        .await?;
    assert_eq!(adjusted.data()["stockAdjust"]["userErrors"], json!([]));
    let fresh = ask_until(&server, DETAIL, first.clone(), |body| {
        body["data"]["product"]["totalAvailable"].as_i64() == Some(before + 7)
    })
    .await?;
    assert_eq!(
        fresh["data"]["product"]["variants"][0]["quantityAvailable"],
        miss.body["data"]["product"]["variants"][0]["quantityAvailable"]
            .as_i64()
            .map(|n| n + 7)
            .unwrap()
    );
    let grid = ask(&server, GRID, json!({})).await?;
    assert!(!grid.hit, "the grid showed the product's stock");
    assert!(
        ask(&server, DETAIL, second.clone()).await?.hit,
        "an unrelated product's page survives a stock change"
    );

    // A catalog edit drops everything.
    let renamed = server
        .graphql_as(
            Some(&shop.admin),
            RENAME,
            json!({ "id": shop.product, "name": "Renamed by staff" }),
        )
        .await?;
    assert_eq!(renamed.data()["productUpdate"]["userErrors"], json!([]));
    ask_until(&server, DETAIL, first, |body| {
        body["data"]["product"]["name"] == "Renamed by staff"
    })
    .await?;
    assert!(!ask(&server, DETAIL, second).await?.hit);

    let metrics = server.get_text("/metrics").await?;
    let hits = metrics
        .lines()
        .find_map(|l| l.strip_prefix("shopgraph_response_cache_hits_total "))
        .and_then(|n| n.parse::<u64>().ok());
    // Two hits were asserted above; waiting for an invalidation may add more (stale hits
    // before the event arrives), or none when the relay's wake is quicker than the next ask.
    assert!(hits.is_some_and(|n| n >= 2), "hits are counted: {hits:?}");
    Ok(())
}
e2e!(catalog_answers_are_served_from_the_cache_until_what_they_show_changes);

async fn personal_staff_and_failed_answers_are_never_cached(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::start(backend, 2, cache_on).await?;
    let shop = shop(&server).await?;
    let variables = json!({ "slug": shop.slugs[0] });
    for _ in 0..2 {
        let staff = ask_as(&server, Some(&shop.admin), DETAIL, variables.clone()).await?;
        assert!(!staff.hit, "signed-in viewers always get fresh answers");
    }
    let cart = ask(
        &server,
        "mutation { cartCreate { cart { id } } }",
        json!({}),
    )
    .await?;
    let cart_id = cart.body["data"]["cartCreate"]["cart"]["id"].clone();
    let read_cart = "query($id: ID!) { cart(id: $id) { id totalQuantity } }";
    for _ in 0..2 {
        let answer = ask(&server, read_cart, json!({ "id": cart_id })).await?;
        assert_eq!(answer.body["data"]["cart"]["id"], cart_id);
        assert!(!answer.hit, "a cart is personal");
    }
    let failing = json!({ "slug": "" });
    for _ in 0..2 {
        let answer = ask(
            &server,
            "query($slug: String!) { product(slug: $slug) { nosuchfield } }",
            failing.clone(),
        )
        .await?;
        assert!(answer.body["errors"].is_array());
        assert!(!answer.hit, "errors are not kept");
    }
    Ok(())
}
e2e!(personal_staff_and_failed_answers_are_never_cached);

async fn replicas_share_answers_and_invalidations_through_redis(
    backend: Backend,
) -> anyhow::Result<()> {
    let Some(redis) = TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let with_redis = |config: &mut Config| {
        cache_on(config);
        config.cache.redis_url = Some(redis.url.clone());
        config.cache.redis_namespace = redis.namespace.clone();
    };
    let first = TestServer::start(backend, 3, with_redis).await?;
    let second = first.replica(with_redis).await?;
    let shop = shop(&first).await?;
    let variables = json!({ "slug": shop.slugs[0] });

    let computed = ask(&first, DETAIL, variables.clone()).await?;
    assert!(!computed.hit);
    let shared = ask(&second, DETAIL, variables.clone()).await?;
    assert!(
        shared.hit,
        "the other replica serves the first one's answer"
    );
    assert_eq!(shared.statements, 0);
    assert_eq!(shared.body, computed.body);

    // A stock change written through one replica drops the answer on both.
    let before = computed.body["data"]["product"]["totalAvailable"]
        .as_i64()
        .unwrap();
    first
        .graphql_as(
            Some(&shop.admin),
            ADJUST,
            json!({ "v": shop.variant, "w": shop.warehouse, "d": 3 }),
        )
        .await?;
    for server in [&second, &first] {
        ask_until(server, DETAIL, variables.clone(), |body| {
            body["data"]["product"]["totalAvailable"].as_i64() == Some(before + 3)
        })
        .await?;
    }
    drop(second);
    drop(first);
    redis.cleanup().await?;
    Ok(())
}
e2e!(replicas_share_answers_and_invalidations_through_redis);
