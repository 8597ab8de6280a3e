//! The schema is an Apollo Federation v2 subgraph.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use serde_json::json;

async fn service_sdl_declares_the_entities(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 0).await?;
    let r = server.graphql("{ _service { sdl } }", json!({})).await?;
    let sdl = r.data()["_service"]["sdl"].as_str().unwrap().to_owned();
    assert!(
        sdl.contains("https://specs.apollo.dev/federation/v2"),
        "federation v2 link missing"
    );
    for entity in [
        "type Product @key(fields: \"id\")",
        "type ProductVariant @key(fields: \"id\")",
        "type Category @key(fields: \"id\")",
    ] {
        assert!(sdl.contains(entity), "SDL lacks `{entity}`");
    }
    server.stop().await
}
e2e!(service_sdl_declares_the_entities);

async fn entities_resolve_by_key_in_one_batch(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 12).await?;
    let listing = server.graphql("{ products(first: 10) { nodes { id name variants { id sku } category { id name } } } }", json!({})).await?;
    let products = listing.data()["products"]["nodes"]
        .as_array()
        .unwrap()
        .clone();

    let query = r#"query($reps: [_Any!]!) { _entities(representations: $reps) {
        __typename ... on Product { id name } ... on ProductVariant { id sku } ... on Category { id name } } }"#;
    let one = server
        .graphql(
            query,
            json!({ "reps": [{ "__typename": "Product", "id": products[0]["id"] }] }),
        )
        .await?;
    assert_eq!(one.data()["_entities"][0]["name"], products[0]["name"]);

    let reps: Vec<_> = products
        .iter()
        .map(|p| json!({ "__typename": "Product", "id": p["id"] }))
        .collect();
    let many = server.graphql(query, json!({ "reps": reps })).await?;
    let resolved = many.data()["_entities"].as_array().unwrap();
    assert_eq!(resolved.len(), products.len());
    for (got, want) in resolved.iter().zip(&products) {
        assert_eq!(got["__typename"], "Product");
        assert_eq!(got["name"], want["name"]);
    }
    assert_eq!(
        one.sql_statements, many.sql_statements,
        "ten references cost as much as one"
    );

    let variant = &products[1]["variants"][0];
    let category = &products[2]["category"];
    let mixed = server
        .graphql(
            query,
            json!({ "reps": [
            { "__typename": "ProductVariant", "id": variant["id"] },
            { "__typename": "Category", "id": category["id"] },
            { "__typename": "Product", "id": "00000000-0000-7000-8000-000000000000" },
        ] }),
        )
        .await?;
    let resolved = mixed.data()["_entities"].as_array().unwrap();
    assert_eq!(resolved[0]["sku"], variant["sku"]);
    assert_eq!(resolved[1]["name"], category["name"]);
    assert!(resolved[2].is_null(), "an unknown id resolves to null");
    server.stop().await
}
e2e!(entities_resolve_by_key_in_one_batch);
