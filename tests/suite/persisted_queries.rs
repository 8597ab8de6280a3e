//! Automatic persisted queries, as Apollo Client's persisted-query link speaks them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestRedis, TestServer, e2e};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const QUERY: &str = "query Grid($n: Int!) { products(first: $n) { nodes { slug } } }";

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn hash_only_requests_work_once_the_query_is_known(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 5).await?;
    let hash = hex::encode(Sha256::digest(QUERY.as_bytes()));
    let variables = json!({ "n": 2 });

    // 1. The client tries the hash alone; the server does not know it yet.
    let unknown = server
        .post_body(&json!({ "extensions": persisted(&hash), "variables": variables }))
        .await?;
    assert_eq!(unknown.error_message(), "PersistedQueryNotFound");
    assert_eq!(unknown.error_code(), Some("PERSISTED_QUERY_NOT_FOUND"));

    // 2. It retries with the full query and the hash; the server runs and remembers it.
    let full = server
        .post_body(
            &json!({ "query": QUERY, "extensions": persisted(&hash), "variables": variables }),
        )
        .await?;
    let expected = full.data().clone();
    assert_eq!(expected["products"]["nodes"].as_array().unwrap().len(), 2);

    // 3. Later requests send only the hash, by POST or by CDN-cacheable GET.
    let by_hash = server
        .post_body(&json!({ "extensions": persisted(&hash), "variables": variables }))
        .await?;
    assert_eq!(by_hash.data(), &expected);
    let get = server
        .http()
        .get(server.url("/graphql"))
        .query(&[
            ("extensions", persisted(&hash).to_string()),
            ("variables", variables.to_string()),
        ])
        .send()
        .await?;
    assert_eq!(TestServer::read(get).await?.data(), &expected);

    // A hash that does not match the query is refused.
    let forged = server.post_body(& json!({ "query": "{ products(first: 1) { nodes { id } } }", "extensions": persisted(&hash) })).await?;
    assert!(forged.error_message().contains("sha"), "{}", forged.body);
    server.stop().await
}
e2e!(hash_only_requests_work_once_the_query_is_known);

async fn replicas_share_persisted_queries_through_redis(backend: Backend) -> anyhow::Result<()> {
    let Some(redis) = TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let replica = |backend: Backend| {
        TestServer::start(backend, 3, |config| {
            config.cache.redis_url = Some(redis.url.clone());
            config.cache.redis_namespace = redis.namespace.clone();
        })
    };
    let first = replica(backend.clone()).await?;
    let second = replica(backend).await?;
    let hash = hex::encode(Sha256::digest(QUERY.as_bytes()));
    let variables = json!({ "n": 2 });

    // Registered on one replica...
    let full = first
        .post_body(
            &json!({ "query": QUERY, "extensions": persisted(&hash), "variables": variables }),
        )
        .await?;
    assert_eq!(
        full.data()["products"]["nodes"].as_array().unwrap().len(),
        2
    );
    assert!(
        redis.keys().await?.iter().any(|k| k.ends_with(&hash)),
        "the document is stored in Redis"
    );
    // ...known by hash on the other, which never saw the query text.
    let by_hash = second
        .post_body(&json!({ "extensions": persisted(&hash), "variables": variables }))
        .await?;
    assert!(by_hash.body.get("errors").is_none(), "{}", by_hash.body);
    assert_eq!(
        by_hash.data()["products"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // An unknown hash is still unknown everywhere.
    let unknown = second
        .post_body(&json!({ "extensions": persisted(&"0".repeat(64)) }))
        .await?;
    assert_eq!(unknown.error_code(), Some("PERSISTED_QUERY_NOT_FOUND"));
    first.stop().await?;
    second.stop().await?;
    redis.cleanup().await
}
e2e!(replicas_share_persisted_queries_through_redis);
