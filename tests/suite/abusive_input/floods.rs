//! Requests too big to be honest: a 10 MB mutation body, and documents that alias one field
//! thousands of times (a write or a sign-in per alias, or a flood of reads).

use super::{Battery, Expect, PRODUCTS, Snapshot, short};
use e2e::{Backend, TestServer, e2e};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TEN_MB: usize = 10 * 1024 * 1024;

/// A productCreate mutation padded to `size` bytes of JSON (the padding is a long name).
fn huge_mutation(size: usize) -> Vec<u8> {
    let name = "x".repeat(size);
    let query = "mutation($n: String!) { productCreate(input: { name: $n, slug: \"huge\" }) { product { id } userErrors { code } } }";
    serde_json::to_vec(&json!({ "query": query, "variables": { "n": name } })).unwrap()
}

/// POSTs `body` over raw TCP (with a Content-Length, or chunked) and returns the raw reply.
/// Raw, because the server answers 413 without reading the body, and an HTTP client still
/// busy sending it would only see the connection close.
async fn post_raw(server: &TestServer, body: Vec<u8>, chunked: bool) -> anyhow::Result<String> {
    let stream = tokio::net::TcpStream::connect(server.addr).await?;
    let (mut reader, mut writer) = stream.into_split();
    let length = if chunked {
        "transfer-encoding: chunked".to_owned()
    } else {
        format!("content-length: {}", body.len())
    };
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n{length}\r\nconnection: close\r\n\r\n",
        server.addr
    );
    let send = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        for piece in body.chunks(64 * 1024) {
            if chunked {
                writer
                    .write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                    .await?;
            }
            writer.write_all(piece).await?;
            if chunked {
                writer.write_all(b"\r\n").await?;
            }
        }
        if chunked {
            writer.write_all(b"0\r\n\r\n").await?;
        }
        anyhow::Ok(())
    });
    let mut reply = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), reader.read_to_end(&mut reply)).await??;
    // The server may close before the body is through; a failed send is expected then.
    send.abort();
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

async fn oversized_mutation_bodies_are_refused(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let mut battery = Battery::new(&server).await?;
    for chunked in [false, true] {
        let case = if chunked {
            "10 MB chunked mutation"
        } else {
            "10 MB mutation"
        };
        let before = Snapshot::take(&server).await?;
        let reply = post_raw(&server, huge_mutation(TEN_MB), chunked).await?;
        let status_line = reply.lines().next().unwrap_or_default().to_owned();
        let body = reply.split("\r\n\r\n").nth(1).unwrap_or_default();
        // With a Content-Length the body limit refuses at once; chunked, the limit trips
        // while the body streams into the GraphQL extractor. Both: the same shaped 413.
        if !status_line.starts_with("HTTP/1.1 413")
            || !body.contains("\"errors\"")
            || !body.contains("PAYLOAD_TOO_LARGE")
        {
            battery.fail(case, format!("not a GraphQL-shaped 413: {reply}"));
        }
        battery.unchanged(case, &before).await?;
    }
    battery.finish()?;
    server.stop().await
}
e2e!(oversized_mutation_bodies_are_refused);

/// `count` aliased copies of `field`, numbered through `{i}`, in one document.
fn aliased(operation: &str, count: usize, field: &str) -> String {
    let fields: String = (0..count)
        .map(|i| format!(" a{i}: {}", field.replace("{i}", &i.to_string())))
        .collect();
    format!("{operation} {{{fields} }}")
}

async fn alias_floods_are_refused(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let mut battery = Battery::new(&server).await?;
    // Small floods are refused by the complexity limit, floods of more than 500 aliases by
    // the input guard, and the largest by the token count measured before parsing.
    let too_complex = || {
        Expect::GraphqlError(
            "BAD_USER_INPUT",
            &["too complex", "aliased fields", "tokens"],
        )
    };

    let create =
        "productCreate(input: { name: \"Flood {i}\" }) { product { id } userErrors { code } }";
    for count in [25, 5_000] {
        let query = aliased("mutation", count, create);
        let case = format!("{count} aliased productCreate");
        battery
            .refused(&case, &query, json!({}), too_complex())
            .await?;
    }
    let category = "categoryCreate(input: { name: \"Flood {i}\" }) { category { id } }";
    let query = aliased("mutation", 3_000, category);
    battery
        .refused(
            "3,000 aliased categoryCreate",
            &query,
            json!({}),
            too_complex(),
        )
        .await?;

    // Password guessing, many guesses per request: each costs an argon2 hash.
    let guess =
        "tokenCreate(email: \"admin@example.com\", password: \"guess number {i}\") { accessToken }";
    for count in [5, 1_000] {
        let query = aliased("mutation", count, guess);
        let case = format!("{count} aliased tokenCreate");
        battery
            .refused(&case, &query, json!({}), too_complex())
            .await?;
    }

    // Reads: ten thousand aliased product lookups.
    let lookup = "product(slug: \"no-such-product-{i}\") { id name }";
    let query = aliased("query", 10_000, lookup);
    battery
        .refused(
            "10,000 aliased product lookups",
            &query,
            json!({}),
            too_complex(),
        )
        .await?;

    // A few aliased writes in one document are fine: the limit is not a ban.
    let before = battery
        .send("{ products { totalCount } }", json!({}))
        .await?;
    let query = aliased("mutation", 3, create);
    let r = battery.send(&query, json!({})).await?;
    battery.check_clean("3 aliased productCreate", &r);
    if r.body.get("errors").is_some() {
        battery.fail("3 aliased productCreate", short(&r.body));
    }
    let after = battery
        .send("{ products { totalCount } }", json!({}))
        .await?;
    let count = |r: &e2e::GraphqlResponse| r.data()["products"]["totalCount"].as_u64();
    if count(&after) != count(&before).map(|c| c + 3) {
        battery.fail("3 aliased productCreate", "did not create 3 products");
    }
    battery.finish()?;
    server.stop().await
}
e2e!(alias_floods_are_refused);
