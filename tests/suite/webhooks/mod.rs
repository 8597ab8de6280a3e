//! Outgoing webhooks end to end: a real HTTP receiver (`e2e::WebhookReceiver`) gets signed
//! deliveries of real events, and the Standard Webhooks crate verifies them independently of
//! the server's own signing code.
//!
//! - `delivery`: retries until a 2xx, one success per message, signatures, bodies, secrets.
//! - `access`: staff only, input rules, the SSRF guard.
//! - `failures`: giving up, switching a failing webhook off, re-enabling, manual retries.
//! - `processes`: `kill -9` between an order and its delivery; two replicas sending once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod delivery;
mod failures;
mod processes;
mod reminders;

use super::carts::Shop;
use e2e::{Backend, Client, Received, WebhookReceiver, e2e};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const CREATE: &str = "mutation($input: WebhookCreateInput!) { webhookCreate(input: $input) { webhook { id url topics active } secret userErrors { field code message } } }";

const DELIVERIES: &str = "query($status: WebhookDeliveryStatus) { webhooks { id active disabledReason consecutiveFailures deliveries(first: 100, status: $status) { nodes { id topic eventId status attempts lastResponseStatus lastError nextAttemptAt createdAt } pageInfo { hasNextPage endCursor } } } }";

/// A shop whose webhooks may target the loopback receiver, retrying after `retry_base_ms`.
async fn shop(
    backend: Backend,
    retry_base_ms: u64,
    configure: impl FnOnce(&mut shopgraph::config::Config),
) -> anyhow::Result<Shop> {
    let shop = Shop::open(backend, &[2500], |config| {
        config.webhooks.webhook_allow_private_networks = true;
        config.webhooks.webhook_retry_base_ms = retry_base_ms;
        configure(config);
    })
    .await?;
    // The set-up's own events (the product, its stock) are relayed before any webhook exists.
    shop.server.outbox_drained().await?;
    Ok(shop)
}

/// A webhook on `url` for `topics`; returns its id and secret.
async fn subscribe(admin: &Client, url: &str, topics: &[&str]) -> anyhow::Result<(String, String)> {
    let created = admin
        .mutate_ok(
            CREATE,
            json!({ "input": { "url": url, "topics": topics, "description": "the test's receiver" } }),
        )
        .await?;
    Ok((
        created["webhook"]["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    ))
}

/// Every webhook with its deliveries (newest first), as staff see them.
async fn webhooks(admin: &Client) -> anyhow::Result<Vec<Value>> {
    let response = admin.graphql(DELIVERIES, json!({})).await?;
    Ok(response.data()["webhooks"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

/// The first webhook's deliveries once `done` holds for them (the worker records an outcome
/// just after the receiver answers).
async fn deliveries_when(
    admin: &Client,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> anyhow::Result<Vec<Value>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let listed = webhooks(admin).await?;
        let deliveries = listed
            .first()
            .and_then(|w| w["deliveries"]["nodes"].as_array().cloned())
            .unwrap_or_default();
        if done(&deliveries) {
            return Ok(deliveries);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "deliveries never got to {what}: {deliveries:#?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Places a guest order for one unit of the shop's item; returns the order (`id number`).
async fn place_order(shop: &Shop) -> anyhow::Result<Value> {
    order_through(&shop.guest, &shop.items[0].variant.to_string()).await
}

/// A guest order for one unit of `variant`, placed through `guest`'s server.
async fn order_through(guest: &Client, variant: &str) -> anyhow::Result<Value> {
    let cart = guest
        .cart()
        .line(e2e::VariantId(variant.parse()?), 1)
        .ready()
        .create()
        .await?;
    let placed = guest
        .mutate_ok(
            "mutation($cart: ID!, $key: String!) { checkoutComplete(cartId: $cart, idempotencyKey: $key) { order { id number total { amount currencyCode } } userErrors { field code message } } }",
            json!({ "cart": cart.to_string(), "key": uuid::Uuid::new_v4().to_string() }),
        )
        .await?;
    Ok(placed["order"].clone())
}

/// Whether the Standard Webhooks reference library accepts `request` with `secret`.
fn verifies(request: &Received, secret: &str) -> bool {
    standardwebhooks::Webhook::new(secret)
        .and_then(|hook| hook.verify(&request.body, &request.headers))
        .is_ok()
}

/// Accepted requests per message id.
fn accepted_per_id(received: &[Received]) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for request in received.iter().filter(|r| r.accepted()) {
        *counts.entry(request.id().to_owned()).or_insert(0) += 1;
    }
    counts
}
