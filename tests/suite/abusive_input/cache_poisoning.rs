//! The response cache and HTTP caches must only ever keep answers of the operation that ran,
//! and only of queries. A document holding a query and a mutation, sent to run the mutation,
//! once had its mutation answer cached: three shoppers got the same cart, and a later one saw
//! the first one's email. A GET carrying a mutation ran it and answered `public, max-age=30`.

use e2e::{Backend, TestServer, e2e, header};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const MIXED: &str = "query A { products(first: 1) { nodes { id } } }
mutation B { cartCreate(input: { buyerIdentity: { email: \"first@example.com\" } }) { cart { id buyerIdentity { email } } } }";

fn cache_on(config: &mut shopgraph::config::Config) {
    config.cache.response_cache_entries = 1_000;
}

async fn carts(server: &TestServer) -> anyhow::Result<u64> {
    Ok(entities::cart::Entity::find()
        .count(&server.app.app.db)
        .await?)
}

/// POSTs `body`; the JSON answer and its `x-response-cache` and `cache-control` headers.
async fn post(server: &TestServer, body: Value) -> anyhow::Result<(Value, bool, String)> {
    let response = server
        .http()
        .post(server.url("/graphql"))
        .json(&body)
        .send()
        .await?;
    let hit = response.headers().get("x-response-cache").is_some();
    let control = header(&response, "cache-control");
    Ok((response.json().await?, hit, control))
}

async fn get(server: &TestServer, params: &[(&str, &str)]) -> anyhow::Result<reqwest::Response> {
    Ok(server
        .http()
        .get(server.url("/graphql"))
        .query(params)
        .send()
        .await?)
}

async fn a_mutation_is_never_cached_or_replayed(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::start(backend, 2, cache_on).await?;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (body, hit, control) =
            post(&server, json!({ "query": MIXED, "operationName": "B" })).await?;
        assert!(!hit, "a mutation was answered from the cache: {body}");
        assert!(!control.contains("public"), "cache-control {control}");
        ids.push(
            body["data"]["cartCreate"]["cart"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "every shopper gets a cart of their own");
    assert_eq!(carts(&server).await?, 3);

    // The query of the same document is still cached, on its own.
    let (first, _, _) = post(&server, json!({ "query": MIXED, "operationName": "A" })).await?;
    let (again, hit, _) = post(&server, json!({ "query": MIXED, "operationName": "A" })).await?;
    assert!(hit, "the query half is cacheable: {again}");
    assert_eq!(first, again);
    assert!(first["data"]["products"]["nodes"].is_array(), "{first}");
    server.stop().await
}
e2e!(a_mutation_is_never_cached_or_replayed);

async fn a_get_never_runs_a_mutation(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::start(backend, 2, cache_on).await?;
    let refused = [
        vec![(
            "query",
            "mutation { cartCreate(input: {}) { cart { id } } }",
        )],
        vec![("query", MIXED), ("operationName", "B")],
        vec![("query", MIXED), ("operation_name", "B")],
    ];
    for params in &refused {
        let response = get(&server, params).await?;
        assert_eq!(response.status(), 405, "{params:?}");
        assert_eq!(header(&response, "allow"), "POST");
        assert!(!header(&response, "cache-control").contains("public"));
        assert!(response.headers().get("etag").is_none());
        let body: Value = response.json().await?;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
            "{body}"
        );
    }

    // A mutation registered as a persisted query, then sent by hash with GET.
    let mutation = "mutation Make { cartCreate(input: {}) { cart { id } } }";
    let hash = hex::encode(Sha256::digest(mutation.as_bytes()));
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let (registered, _, _) = post(
        &server,
        json!({ "query": mutation, "extensions": extensions }),
    )
    .await?;
    assert!(
        registered["data"]["cartCreate"]["cart"]["id"].is_string(),
        "{registered}"
    );
    let by_hash = get(&server, &[("extensions", &extensions.to_string())]).await?;
    assert_eq!(by_hash.status(), 405);
    assert_eq!(carts(&server).await?, 1, "only the POST made a cart");

    // GET honours `operationName` (the spec's spelling) for queries.
    let two = "query One { products(first: 1) { nodes { id } } } query Two { categories(first: 1) { nodes { id } } }";
    let response = get(&server, &[("query", two), ("operationName", "Two")]).await?;
    assert_eq!(response.status(), 200);
    assert!(header(&response, "cache-control").contains("public"));
    let body: Value = response.json().await?;
    assert!(body["data"]["categories"]["nodes"].is_array(), "{body}");
    assert!(body["data"].get("products").is_none(), "{body}");
    server.stop().await
}
e2e!(a_get_never_runs_a_mutation);
