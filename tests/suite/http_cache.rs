//! Public catalog reads by GET are cacheable by CDNs and browsers (Cache-Control, ETag,
//! 304); anything personal, failed or sent by POST is not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const GRID: &str = "query Grid($n: Int!) { products(first: $n) { nodes { id name } } }";

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn get(
    server: &TestServer,
    params: &[(&str, String)],
    headers: &[(&str, String)],
) -> anyhow::Result<reqwest::Response> {
    let mut request = server.http().get(server.url("/graphql")).query(params);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    Ok(request.send().await?)
}

async fn public_catalog_gets_are_cacheable_and_revalidate(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 5).await?;
    let hash = hex::encode(Sha256::digest(GRID.as_bytes()));
    let variables = json!({ "n": 3 }).to_string();
    // Register the persisted query (Apollo's protocol: full query once).
    let registered = server
        .http()
        .post(server.url("/graphql"))
        .json(&json!({ "query": GRID, "extensions": persisted(&hash), "variables": { "n": 3 } }))
        .send()
        .await?;
    assert_eq!(
        header(&registered, "cache-control"),
        "no-store",
        "POST is never cached"
    );

    let by_hash = [
        ("extensions", persisted(&hash).to_string()),
        ("variables", variables.clone()),
    ];
    let first = get(&server, &by_hash, &[]).await?;
    assert_eq!(first.status(), 200);
    assert_eq!(
        header(&first, "cache-control"),
        "public, max-age=30, stale-while-revalidate=60"
    );
    assert!(header(&first, "vary").contains("Authorization"));
    let etag = header(&first, "etag");
    assert!(etag.starts_with("W/\""), "{etag}");
    let body: Value = first.json().await?;
    assert_eq!(
        body["data"]["products"]["nodes"].as_array().unwrap().len(),
        3
    );

    // The client's copy is current: 304 without a body.
    let revalidated = get(&server, &by_hash, &[("if-none-match", etag.clone())]).await?;
    assert_eq!(revalidated.status(), 304);
    assert_eq!(header(&revalidated, "etag"), etag);
    assert!(revalidated.bytes().await?.is_empty());

    // A catalog change changes the answer, so the old tag no longer matches.
    let admin = server.admin_token().await?;
    let id = body["data"]["products"]["nodes"][0]["id"].clone();
    let renamed = server
        .graphql_as(
            Some(&admin),
            "mutation($id: ID!) { productUpdate(id: $id, input: { name: \"Renamed For Cache\" }) { userErrors { message } } }",
            json!({ "id": id }),
        )
        .await?;
    assert_eq!(renamed.data()["productUpdate"]["userErrors"], json!([]));
    let changed = get(&server, &by_hash, &[("if-none-match", etag.clone())]).await?;
    assert_eq!(changed.status(), 200);
    assert_ne!(header(&changed, "etag"), etag);

    // Search answers are public too.
    let search = get(
        &server,
        &[(
            "query",
            "{ search(query: \"tee\", first: 2) { totalHits } }".to_owned(),
        )],
        &[],
    )
    .await?;
    assert!(header(&search, "cache-control").starts_with("public, max-age=30"));

    // Not cacheable: a signed-in viewer, a private field, an error.
    let signed_in = get(
        &server,
        &by_hash,
        &[("authorization", format!("Bearer {admin}"))],
    )
    .await?;
    assert_eq!(signed_in.status(), 200);
    assert_eq!(header(&signed_in, "cache-control"), "no-store");
    let personal = get(
        &server,
        &[(
            "query",
            "{ products(first: 1) { nodes { id } } me { email } }".to_owned(),
        )],
        &[],
    )
    .await?;
    assert_eq!(header(&personal, "cache-control"), "no-store");
    let failed = get(
        &server,
        &[(
            "query",
            "{ products(first: 1000) { nodes { id } } }".to_owned(),
        )],
        &[],
    )
    .await?;
    assert_eq!(header(&failed, "cache-control"), "no-store");
    server.stop().await
}
e2e!(public_catalog_gets_are_cacheable_and_revalidate);
