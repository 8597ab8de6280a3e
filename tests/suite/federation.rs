//! The schema is an Apollo Federation v2 subgraph.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};

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

async fn a_malformed_id_fails_only_its_own_representation(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 3).await?;
    let listing = server
        .graphql(
            "{ products(first: 1) { nodes { id name variants { id sku } category { id name } } } }",
            json!({}),
        )
        .await?;
    let product = listing.data()["products"]["nodes"][0].clone();
    let variant = &product["variants"][0];
    let category = &product["category"];
    let query = r#"query($reps: [_Any!]!) { _entities(representations: $reps) {
        __typename ... on Product { name } ... on ProductVariant { sku } ... on Category { name } ... on Order { number } } }"#;
    let reps = json!([
        { "__typename": "Product", "id": product["id"] },
        { "__typename": "Product", "id": "not-a-uuid" },
        { "__typename": "ProductVariant", "id": "nope" },
        { "__typename": "Category", "id": category["id"] },
        { "__typename": "Category", "id": 123 },
        { "__typename": "Order", "id": "bad" },
        { "__typename": "Product", "id": "not-a-uuid" },
        { "__typename": "ProductVariant", "id": variant["id"] },
        { "__typename": "Order", "id": "00000000-0000-7000-8000-000000000000" },
    ]);
    let response = server.graphql(query, json!({ "reps": reps })).await?;
    let body = &response.body;
    let resolved = body["data"]["_entities"].as_array().unwrap();
    assert_eq!(resolved.len(), 9, "{body}");
    assert_eq!(resolved[0]["name"], product["name"]);
    assert_eq!(resolved[3]["name"], category["name"]);
    assert_eq!(resolved[7]["sku"], variant["sku"]);
    for index in [1, 2, 4, 5, 6, 8] {
        assert!(resolved[index].is_null(), "{index}: {body}");
    }
    let mut paths: Vec<Value> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{error}");
            error["path"].clone()
        })
        .collect();
    paths.sort_by_key(|p| p[1].as_u64());
    let expected: Vec<Value> = [1, 2, 4, 5, 6]
        .iter()
        .map(|i| json!(["_entities", i]))
        .collect();
    assert_eq!(paths, expected, "an unknown order is null without an error");
    server.stop().await
}
e2e!(a_malformed_id_fails_only_its_own_representation);
