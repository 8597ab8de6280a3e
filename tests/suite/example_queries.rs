//! Every operation in `examples/queries/` runs without errors against a seeded server.
//!
//! A `.graphql` file may start with a `# variables: {...}` comment line giving its variables;
//! `$slug`-style placeholders in them (`"$firstProductSlug"`, `"$firstProductId"`,
//! `"$firstCategoryId"`) are filled from the seeded catalog. Subscriptions run over the
//! websocket while the first product's stock changes. Account operations get an account
//! (`$email`, `$password`) and sessions (`$refreshToken`, `$spareRefreshToken`) made first.
//! Files with a `# auth: admin` line run with an administrator's access token.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, WsProtocol, e2e};
use schema::events::{BusMessage, DomainEvent};
use schema::inventory::events::StockUpdate;
use serde_json::{Value, json};

async fn every_example_query_runs(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 40).await?;
    let first = server
        .graphql(
            "{ products(first: 1) { nodes { id slug category { id } variants { id sku } } } }",
            json!({}),
        )
        .await?;
    let node = first.data()["products"]["nodes"][0].clone();
    // An account for the sign-in, refresh and sign-out examples.
    let (email, password) = ("storefront@example.com", "correct horse battery");
    let register = "mutation($e: String!, $p: String!) { customerRegister(input: { email: $e, password: $p }) { userErrors { message } } }";
    server
        .graphql(register, json!({ "e": email, "p": password }))
        .await?;
    let sign_in = "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { refreshToken } }";
    let mut refresh_tokens = Vec::new();
    for _ in 0..2 {
        let session = server
            .graphql(sign_in, json!({ "e": email, "p": password }))
            .await?;
        refresh_tokens.push(session.data()["tokenCreate"]["refreshToken"].clone());
    }
    let placeholders = [
        ("$firstProductSlug", node["slug"].clone()),
        ("$firstProductId", node["id"].clone()),
        ("$firstCategoryId", node["category"]["id"].clone()),
        (
            "$newEmail",
            json!(format!("new-{}@example.com", uuid::Uuid::new_v4().simple())),
        ),
        ("$email", json!(email)),
        ("$password", json!(password)),
        ("$refreshToken", refresh_tokens[0].clone()),
        ("$spareRefreshToken", refresh_tokens[1].clone()),
        ("$firstVariantId", node["variants"][0]["id"].clone()),
        ("$firstWarehouseId", json!(first_warehouse(&server).await?)),
    ];

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/queries");
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "graphql"));
    files.sort();
    assert!(
        files.len() >= 4,
        "examples/queries has the storefront's catalog operations"
    );
    for path in files {
        let text = std::fs::read_to_string(&path)?;
        let mut variables = text
            .lines()
            .find_map(|l| l.strip_prefix("# variables:"))
            .map(|v| serde_json::from_str::<Value>(v.trim()))
            .transpose()?
            .unwrap_or_else(|| json!({}));
        fill_placeholders(&mut variables, &placeholders);
        if is_subscription(&text) {
            run_subscription(&server, &text, variables, &node)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            continue;
        }
        let response = if text.lines().any(|l| l.trim() == "# auth: admin") {
            let admin = server.admin_token().await?;
            let request = server
                .http()
                .post(server.url("/graphql"))
                .bearer_auth(admin);
            TestServer::read(
                request
                    .json(&json!({ "query": text, "variables": variables }))
                    .send()
                    .await?,
            )
            .await?
        } else {
            server.graphql(&text, variables).await?
        };
        assert!(
            response.body.get("errors").is_none(),
            "{}: {}",
            path.display(),
            response.body
        );
        let data = response.body["data"].as_object().expect("data");
        assert!(
            data.values().all(|v| !v.is_null()),
            "{}: a root field is null: {}",
            path.display(),
            response.body
        );
        // Mutation payloads must succeed, not just answer.
        for payload in data.values() {
            if let Some(user_errors) = payload.get("userErrors") {
                assert_eq!(
                    user_errors,
                    &json!([]),
                    "{}: {}",
                    path.display(),
                    response.body
                );
            }
        }
    }
    server.stop().await
}
e2e!(every_example_query_runs);

fn is_subscription(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .any(|l| l.starts_with("subscription"))
}

/// Subscribes over the websocket, makes the first product's stock change, and expects the
/// update to arrive without errors.
async fn run_subscription(
    server: &TestServer,
    text: &str,
    variables: Value,
    product: &Value,
) -> anyhow::Result<()> {
    let mut client = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    client.subscribe("1", text, variables).await?;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let variant = &product["variants"][0];
    server
        .app
        .app
        .events
        .deliver_locally(BusMessage::Event(DomainEvent::StockChanged(StockUpdate {
            event_id: uuid::Uuid::now_v7(),
            variant_uuid: variant["id"].as_str().unwrap().parse()?,
            product_uuid: product["id"].as_str().unwrap().parse()?,
            sku: variant["sku"].as_str().unwrap().to_owned(),
            available: 3,
            in_stock: true,
            occurred_at: chrono::Utc::now(),
            resync: false,
            low_stock_threshold: None,
        })));
    let message = client.next_json().await?;
    anyhow::ensure!(
        message["type"] == "next",
        "expected a result, got {message}"
    );
    anyhow::ensure!(
        message["payload"].get("errors").is_none(),
        "errors: {message}"
    );
    let data = message["payload"]["data"]
        .as_object()
        .ok_or_else(|| anyhow::anyhow!("no data: {message}"))?;
    anyhow::ensure!(
        data.values().all(|v| !v.is_null()),
        "a root field is null: {message}"
    );
    Ok(())
}

/// Replaces `"$name"` strings anywhere in `value` (objects, arrays) by their values.
fn fill_placeholders(value: &mut Value, placeholders: &[(&str, Value)]) {
    match value {
        Value::String(text) => {
            if let Some((_, replacement)) = placeholders.iter().find(|(name, _)| name == text) {
                *value = replacement.clone();
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| fill_placeholders(v, placeholders)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| fill_placeholders(v, placeholders)),
        _ => {}
    }
}

async fn first_warehouse(server: &TestServer) -> anyhow::Result<String> {
    let token = server.admin_token().await?;
    let request = server
        .http()
        .post(server.url("/graphql"))
        .bearer_auth(token);
    let response = TestServer::read(
        request
            .json(&json!({ "query": "{ warehouses { id } }" }))
            .send()
            .await?,
    )
    .await?;
    Ok(response.data()["warehouses"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}
