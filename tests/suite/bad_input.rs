//! Bad input gets a clear error, never a 500, and nothing else breaks.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};

async fn bad_arguments_get_clear_errors(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 10).await?;

    let unknown = server
        .graphql("{ product(slug: \"no-such-product\") { id } }", json!({}))
        .await?;
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.data()["product"], Value::Null);

    let cases = [
        (
            "{ products(first: 100000) { nodes { id } } }",
            "BAD_USER_INPUT",
            "at most 100",
        ),
        (
            "{ products(first: -1) { nodes { id } } }",
            "BAD_USER_INPUT",
            "negative",
        ),
        (
            "{ products(first: 5, after: \"garbage!!\") { nodes { id } } }",
            "BAD_USER_INPUT",
            "cursor",
        ),
        (
            "{ product(id: \"not-a-uuid\") { id } }",
            "BAD_USER_INPUT",
            "valid id",
        ),
        ("{ product { id } }", "BAD_USER_INPUT", "exactly one"),
        (
            "{ products(filter: { categoryIds: [\"x\"] }) { nodes { id } } }",
            "BAD_USER_INPUT",
            "valid id",
        ),
        (
            "{ products(filter: { priceMin: \"abc\" }) { nodes { id } } }",
            "",
            "decimal",
        ),
        (
            "{ products(filter: { priceMin: \"5\", priceMax: \"1\" }) { nodes { id } } }",
            "BAD_USER_INPUT",
            "priceMin",
        ),
        (
            "{ products(filter: { priceMin: \"1.999\" }) { nodes { id } } }",
            "BAD_USER_INPUT",
            "decimal places",
        ),
        ("{ products(currency: XYZ) { nodes { id } } }", "", "XYZ"),
        (
            "{ products(first: 2, last: 2) { nodes { id } } }",
            "BAD_USER_INPUT",
            "either",
        ),
        ("{ nope }", "", "nope"),
        ("{ products(first: 5 { nodes { id } } }", "", ""),
        ("{ product(slug: \"unterminated) { id } }", "", ""),
    ];
    for (query, code, message) in cases {
        let r = server.graphql(query, json!({})).await?;
        assert!(r.status < 500, "{query}: HTTP {}", r.status);
        assert!(
            r.body["errors"].is_array(),
            "{query}: expected an error, got {}",
            r.body
        );
        if !code.is_empty() {
            assert_eq!(r.error_code(), Some(code), "{query}: {}", r.body);
        }
        assert!(
            r.error_message().contains(message),
            "{query}: message `{}` lacks `{message}`",
            r.error_message()
        );
    }

    // A cursor from one ordering is refused by another.
    let page = server
        .graphql(
            "{ products(first: 2, sortKey: NAME) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await?;
    let cursor = page.data()["products"]["pageInfo"]["endCursor"].clone();
    let r = server
        .graphql(
            "query($c: String) { products(first: 2, after: $c, sortKey: PRICE) { nodes { id } } }",
            json!({ "c": cursor }),
        )
        .await?;
    assert_eq!(r.error_code(), Some("BAD_USER_INPUT"));
    server.stop().await
}
e2e!(bad_arguments_get_clear_errors);

async fn oversized_and_abusive_requests_are_refused(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 5).await?;

    // A 5 MB body: refused from its Content-Length with 413 and a GraphQL-shaped error,
    // before the server reads it. (Raw TCP: the server answers without reading the body, and
    // an HTTP client still busy sending it would only see the closed connection.)
    let r = post_headers_only(&server, 5 * 1024 * 1024).await?;
    assert!(r.starts_with("HTTP/1.1 413"), "{r}");
    assert!(r.contains("PAYLOAD_TOO_LARGE"), "{r}");

    // 50 levels of nesting: refused by the depth limit before anything runs.
    let mut query = String::from("{ products(first: 1) { nodes { variants { product { ");
    for _ in 0..25 {
        query.push_str("variants { product { ");
    }
    query.push_str("id");
    let open = query.matches('{').count();
    query.push_str(&" }".repeat(open));
    let r = server.graphql(&query, json!({})).await?;
    assert!(r.status < 500);
    assert!(
        r.error_message().contains("nested too deep") || r.error_message().contains("depth"),
        "{}",
        r.body
    );

    // A query that multiplies lists beyond the complexity budget.
    let wide = "{ a: products(first: 100) { nodes { variants { product { variants { product { variants { sku } } } } } } } \
                b: products(first: 100) { nodes { variants { product { variants { product { variants { sku } } } } } } } }";
    let r = server.graphql(wide, json!({})).await?;
    assert!(
        r.error_message().contains("complex"),
        "{}",
        &r.body.to_string()[..300.min(r.body.to_string().len())]
    );

    // The shape the limit is tuned for: 100 products × their variants × nested categories
    // with their products. (Every file in examples/queries passes the same limit.)
    let nested = "{ products(first: 100) { nodes { variants { sku product { category { children {
                    products(first: 100) { nodes { name variants { sku } } } } } } } } } }";
    let r = server.graphql(nested, json!({})).await?;
    assert!(
        r.error_message().contains("complex"),
        "{}",
        r.error_message()
    );

    // Not JSON at all.
    let response = server
        .http()
        .post(server.url("/graphql"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await?;
    let r = TestServer::read(response).await?;
    assert_eq!(r.status, 400);
    assert!(r.body["errors"].is_array());

    // The server still answers normally afterwards.
    let ok = server
        .graphql("{ products(first: 1) { nodes { id } } }", json!({}))
        .await?;
    assert_eq!(ok.data()["products"]["nodes"].as_array().unwrap().len(), 1);
    server.stop().await
}
e2e!(oversized_and_abusive_requests_are_refused);

/// Sends a POST announcing `length` bytes of body, without the body, and returns the raw reply.
async fn post_headers_only(server: &TestServer, length: usize) -> anyhow::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.addr).await?;
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n",
        server.addr
    );
    stream.write_all(head.as_bytes()).await?;
    let mut reply = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut reply),
    )
    .await??;
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

async fn internal_errors_are_masked(backend: Backend) -> anyhow::Result<()> {
    use sea_orm::ConnectionTrait;
    let server = TestServer::with_catalog(backend, 3).await?;
    // Break the database under the server: the images edge now fails in SQL.
    server
        .app
        .app
        .db
        .execute_unprepared("DROP TABLE product_images")
        .await?;
    let r = server
        .graphql(
            "{ products(first: 2) { nodes { name images { url } } } }",
            json!({}),
        )
        .await?;
    assert!(
        r.status < 500,
        "a failed field is a GraphQL error, not an HTTP failure"
    );
    assert_eq!(r.error_code(), Some("INTERNAL"));
    assert_eq!(r.error_message(), "internal server error");
    let body = r.body.to_string().to_lowercase();
    for leak in [
        "product_images",
        "select",
        "sqlite",
        "postgres",
        "no such table",
        "relation",
    ] {
        assert!(!body.contains(leak), "the response leaks `{leak}`: {body}");
    }
    // Fields that do not touch the broken table still answer.
    let ok = server
        .graphql("{ products(first: 2) { nodes { name } } }", json!({}))
        .await?;
    assert_eq!(ok.data()["products"]["nodes"].as_array().unwrap().len(), 2);
    server.stop().await
}
e2e!(internal_errors_are_masked);
