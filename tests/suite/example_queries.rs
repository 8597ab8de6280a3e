//! Every operation in `examples/queries/` runs without errors against a seeded server.
//!
//! A `.graphql` file may start with a `# variables: {...}` comment line giving its variables;
//! `$slug`-style placeholders in them (`"$firstProductSlug"`, `"$firstProductId"`,
//! `"$firstCategoryId"`) are filled from the seeded catalog. Subscriptions run over the
//! websocket while the first product's stock changes. Account operations get an account
//! (`$email`, `$password`) and sessions (`$refreshToken`, `$spareRefreshToken`) made first.
//! Files with a `# auth: admin` line run with an administrator's access token, `# auth:
//! customer` with the account's. A `# saves: $name=path.to.value` line keeps a value of the
//! response for later files (they run in name order: the `storefront-N-…` files are one flow).
//! The `stripe` provider talks to the suite's Stripe stand-in.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, WsProtocol, e2e};
use schema::events::{BusMessage, DomainEvent};
use schema::inventory::events::StockUpdate;
use serde_json::{Value, json};

async fn every_example_query_runs(backend: Backend) -> anyhow::Result<()> {
    // Stripe examples run against the suite's Stripe stand-in.
    let stripe = e2e::stripe::StripeStandIn::start().await?;
    let stripe_base = stripe.url();
    let server = TestServer::start(backend, 40, |config| {
        config.auth.admin_email = Some(e2e::ADMIN_EMAIL.into());
        config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.into());
        config.commerce.stripe_secret_key = e2e::stripe::STRIPE_SECRET_KEY.parse().ok();
        config.commerce.stripe_api_base = stripe_base.parse().expect("the stand-in's URL");
        config.commerce.stripe_webhook_secret = Some(e2e::stripe::STRIPE_WEBHOOK_SECRET.into());
        // The webhook example subscribes a loopback URL (nothing listens: its deliveries
        // fail and are retried in the background, which no other example depends on).
        config.webhooks.webhook_allow_private_networks = true;
    })
    .await?;
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
    let mut placeholders = vec![
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
        ("$buyableVariantId", json!(buyable_variant(&server).await?)),
        ("$soldOutVariantId", json!(sold_out_variant(&server).await?)),
        (
            "$newIdempotencyKey",
            json!(uuid::Uuid::new_v4().to_string()),
        ),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect::<Vec<(String, Value)>>();
    let customer = server.sign_in(email, password).await?;
    // One staff session for every `# auth: admin` file (sign-ins are rate limited).
    let admin = server.admin_token().await?;

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
        let token = if text.lines().any(|l| l.trim() == "# auth: admin") {
            Some(admin.clone())
        } else if text.lines().any(|l| l.trim() == "# auth: customer") {
            Some(customer.clone())
        } else {
            None
        };
        if is_subscription(&text) {
            run_subscription(&server, &text, variables, &node, token.as_deref())
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            continue;
        }
        let response = server
            .graphql_as(token.as_deref(), &text, variables)
            .await?;
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
        for (name, pointer) in text
            .lines()
            .filter_map(|l| l.strip_prefix("# saves:"))
            .filter_map(|l| l.trim().split_once('='))
        {
            let pointer = format!("/{}", pointer.replace('.', "/"));
            let value = response.body["data"]
                .pointer(&pointer)
                .cloned()
                .unwrap_or_default();
            assert!(!value.is_null(), "{}: nothing at {pointer}", path.display());
            placeholders.push((name.to_owned(), value));
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
    token: Option<&str>,
) -> anyhow::Result<()> {
    let init = token.map_or_else(|| json!({}), |t| json!({ "accessToken": t }));
    let mut client = server.websocket(WsProtocol::TransportWs, init).await?;
    let before = server.event_subscribers().await?;
    client.subscribe("1", text, variables.clone()).await?;
    server.until_subscribers(before + 1).await?;
    if text.contains("orderUpdated") {
        // Staff move the order on; its owner's subscription reports it.
        let admin = server.admin_token().await?;
        let paid = server
            .graphql_as(
                Some(&admin),
                "mutation($id: ID!) { orderMarkPaid(id: $id) { userErrors { message } } }",
                json!({ "id": variables["orderId"] }),
            )
            .await?;
        anyhow::ensure!(
            paid.data()["orderMarkPaid"]["userErrors"] == json!([]),
            "{}",
            paid.body
        );
        return expect_result(&mut client).await;
    }
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
            was_in_stock: None,
        })));
    expect_result(&mut client).await
}

/// The next message is a result without errors and with every root field set.
async fn expect_result(client: &mut e2e::WsClient) -> anyhow::Result<()> {
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
fn fill_placeholders(value: &mut Value, placeholders: &[(String, Value)]) {
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

/// A variant that is for sale in USD at 10.00 or more with at least 2 units: what the
/// storefront flow buys (two of them meet the welcome code's 20.00 minimum).
/// A variant of the demo catalog that is out of stock (the seed sells some out).
async fn sold_out_variant(server: &TestServer) -> anyhow::Result<String> {
    let listing = server
        .graphql(
            "{ products(first: 100) { nodes { variants { id quantityAvailable } } } }",
            json!({}),
        )
        .await?;
    listing.data()["products"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["variants"].as_array().cloned().unwrap_or_default())
        .find(|v| v["quantityAvailable"].as_i64() == Some(0))
        .and_then(|v| v["id"].as_str().map(str::to_owned))
        .ok_or_else(|| anyhow::anyhow!("no sold-out variant in the demo catalog"))
}

async fn buyable_variant(server: &TestServer) -> anyhow::Result<String> {
    let listing = server
        .graphql(
            "{ products(first: 40) { nodes { variants { id quantityAvailable price(currency: USD) { amount } } } } }",
            json!({}),
        )
        .await?;
    let found = listing.data()["products"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["variants"].as_array().cloned().unwrap_or_default())
        .find(|v| {
            v["quantityAvailable"].as_i64().unwrap_or(0) >= 10
                && v["price"]["amount"]
                    .as_str()
                    .and_then(|a| a.parse::<f64>().ok())
                    .is_some_and(|a| a >= 10.0)
        });
    found
        .and_then(|v| v["id"].as_str().map(str::to_owned))
        .ok_or_else(|| anyhow::anyhow!("no buyable variant in the demo catalog"))
}
