//! Automatic persisted queries are remembered only once their document passed every limit and
//! validation, and only up to a size: one 0.89 MB registration that was then refused used to
//! be kept in process and in Redis for a week (five of them grew the server by 614 MiB).

use e2e::{Backend, TestRedis, TestServer, e2e};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn extensions(query: &str) -> Value {
    let hash = hex::encode(Sha256::digest(query.as_bytes()));
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// Registers `query` (hash + text), then asks by hash alone.
async fn register_then_ask(
    server: &TestServer,
    query: &str,
) -> anyhow::Result<(e2e::GraphqlResponse, e2e::GraphqlResponse)> {
    let registered = server
        .post_body(&json!({ "query": query, "extensions": extensions(query) }))
        .await?;
    let by_hash = server
        .post_body(&json!({ "extensions": extensions(query) }))
        .await?;
    Ok((registered, by_hash))
}

async fn only_accepted_documents_of_bounded_size_are_persisted(
    backend: Backend,
) -> anyhow::Result<()> {
    let redis = TestRedis::from_env();
    let server = TestServer::start(backend, 2, |config| {
        if let Some(redis) = &redis {
            config.cache.redis_url = Some(redis.url.clone());
            config.cache.redis_namespace = redis.namespace.clone();
        }
    })
    .await?;

    let refused = [
        // Refused by validation: an unknown field.
        "{ products(first: 1) { nodes { noSuchField } } }".to_owned(),
        // Refused by the cost limits.
        super::costly_documents::fragment_bomb(1),
        // Refused by the complexity limit (a page of 100, its variants' stock levels...).
        format!(
            "{{ {} }}",
            (0..40)
                .map(|i| format!(
                    "p{i}: products(first: 100) {{ nodes {{ variants {{ id sku }} }} }}"
                ))
                .collect::<String>()
        ),
    ];
    for query in &refused {
        let (registered, by_hash) = register_then_ask(&server, query).await?;
        assert!(
            registered.body.get("errors").is_some(),
            "{}",
            registered.body
        );
        assert_eq!(
            by_hash.error_code(),
            Some("PERSISTED_QUERY_NOT_FOUND"),
            "a refused document was remembered: {}",
            by_hash.body
        );
    }

    // Valid, but larger than the stored maximum (a long comment): it runs, and is not kept.
    let padded = format!(
        "# {}\n{{ products(first: 1) {{ nodes {{ id }} }} }}",
        "x".repeat(200_000)
    );
    let (registered, by_hash) = register_then_ask(&server, &padded).await?;
    assert!(
        registered.data()["products"]["nodes"].is_array(),
        "{}",
        registered.body
    );
    assert_eq!(by_hash.error_code(), Some("PERSISTED_QUERY_NOT_FOUND"));

    // An honest document is kept, and served by hash.
    let honest = "{ products(first: 1) { nodes { slug } } }";
    let (registered, by_hash) = register_then_ask(&server, honest).await?;
    assert_eq!(registered.data(), by_hash.data());
    assert!(by_hash.data()["products"]["nodes"].is_array());

    if let Some(redis) = &redis {
        let keys: Vec<String> = redis
            .keys()
            .await?
            .into_iter()
            .filter(|k| k.contains(":apq:"))
            .collect();
        assert_eq!(
            keys.len(),
            1,
            "only the honest document is in Redis: {keys:?}"
        );
        redis.cleanup().await?;
    }
    server.stop().await
}
e2e!(only_accepted_documents_of_bounded_size_are_persisted);
