//! A message goes out signed, retried until the receiver accepts it, once; its body says what
//! happened in the API's shapes.

use super::*;

/// A receiver that fails twice and then answers 200 gets the order's message three times,
/// with identical bytes, accepts it once, and the reference library verifies it with the
/// secret (and not with another).
async fn a_failing_receiver_gets_the_message_until_it_accepts_it_once(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = shop(backend, 100, |_| {}).await?;
    let receiver = WebhookReceiver::start().await?;
    receiver.fail_next(2);
    let (_, secret) = subscribe(&shop.admin, &receiver.url(), &["ORDER_CREATED"]).await?;
    let order = place_order(&shop).await?;

    let received = receiver
        .until(Duration::from_secs(20), "an accepted request", |r| {
            r.iter().any(Received::accepted)
        })
        .await?;
    let accepted = received.iter().find(|r| r.accepted()).unwrap();
    let attempts = receiver.attempts_of(accepted.id());
    assert_eq!(
        attempts.iter().map(|r| r.status).collect::<Vec<_>>(),
        [500, 500, 200]
    );
    assert!(
        attempts.iter().all(|r| r.body == accepted.body),
        "every attempt sends the same bytes"
    );

    // The body: the message id, the topic, when it happened, and the order as GraphQL shows it.
    let body = accepted.json();
    assert_eq!(body["id"], accepted.id());
    assert_eq!(body["topic"], "ORDER_CREATED");
    assert!(
        body["occurredAt"]
            .as_str()
            .is_some_and(|t| t.starts_with("20")),
        "{body}"
    );
    let data = &body["data"];
    assert_eq!(data["id"], order["id"]);
    assert_eq!(data["number"], order["number"]);
    assert_eq!(data["total"], order["total"]);
    assert_eq!(data["status"], "PLACED");
    assert_eq!(data["lines"][0]["sku"], "ITEM-0");
    assert_eq!(data["lines"][0]["quantity"], 1);
    assert_eq!(data["fulfillments"], json!([]));
    let raw = String::from_utf8_lossy(&accepted.body);
    let envelope = format!(
        r#"{{"id":"{}","topic":"ORDER_CREATED","occurredAt":"#,
        accepted.id()
    );
    assert!(raw.starts_with(&envelope), "{raw}");
    assert_eq!(body.as_object().map(|o| o.len()), Some(4), "{body}");

    // Standard Webhooks headers, verified by the reference library.
    assert!(accepted.header("webhook-signature").starts_with("v1,"));
    assert!(accepted.header("webhook-timestamp").parse::<i64>().is_ok());
    assert!(verifies(accepted, &secret), "the right secret verifies");
    assert!(
        !verifies(accepted, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        "another secret does not"
    );

    // Staff see one delivery: SUCCEEDED after 3 attempts, nothing more due.
    let deliveries = deliveries_when(&shop.admin, "SUCCEEDED", |d| {
        d.first().is_some_and(|d| d["status"] == "SUCCEEDED")
    })
    .await?;
    assert_eq!(deliveries.len(), 1, "{deliveries:#?}");
    let delivery = &deliveries[0];
    assert_eq!(delivery["eventId"], accepted.id());
    assert_eq!(delivery["topic"], "ORDER_CREATED");
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["lastResponseStatus"], 200);
    assert_eq!(delivery["lastError"], Value::Null);
    assert_eq!(delivery["nextAttemptAt"], Value::Null);

    // `/metrics`: this process's attempts by topic and outcome, and an empty backlog.
    let metrics = shop.server.get_text("/metrics").await?;
    for line in [
        r#"shopgraph_webhook_deliveries_total{topic="ORDER_CREATED",status="FAILED"} 2"#,
        r#"shopgraph_webhook_deliveries_total{topic="ORDER_CREATED",status="SUCCEEDED"} 1"#,
        "shopgraph_webhook_deliveries_pending 0",
        "shopgraph_webhook_oldest_pending_age_seconds 0.0",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in:\n{metrics}");
    }

    // And nothing is sent again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        accepted_per_id(&receiver.received()).get(accepted.id()),
        Some(&1)
    );
    assert_eq!(receiver.attempts_of(accepted.id()).len(), 3);
    shop.server.stop().await
}
e2e!(a_failing_receiver_gets_the_message_until_it_accepts_it_once);

const PRODUCT_UPDATE: &str = "mutation($id: ID!, $input: ProductUpdateInput!) { productUpdate(id: $id, input: $input) { product { id slug } userErrors { field code message } } }";

/// PRODUCT_UPDATED carries the product's id and slug (a renamed slug's old one too) for
/// storefront revalidation; a variant running out makes STOCK_CHANGED and STOCK_OUT, two
/// messages with ids of their own; a rotated secret signs what follows, and the old one stops
/// verifying.
async fn catalog_and_stock_messages_carry_ids_and_slugs_and_rotation_takes_effect(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = shop(backend, 100, |_| {}).await?;
    let receiver = WebhookReceiver::start().await?;
    let (webhook, first_secret) = subscribe(
        &shop.admin,
        &receiver.url(),
        &["PRODUCT_UPDATED", "STOCK_CHANGED", "STOCK_OUT"],
    )
    .await?;
    let product = shop.items[0].product.to_string();
    shop.admin
        .mutate_ok(
            PRODUCT_UPDATE,
            json!({ "id": product, "input": { "name": "Renamed item" } }),
        )
        .await?;
    let received = receiver
        .until(Duration::from_secs(20), "PRODUCT_UPDATED", |r| r.len() == 1)
        .await?;
    let updated = received[0].json();
    assert_eq!(updated["topic"], "PRODUCT_UPDATED");
    assert_eq!(updated["data"]["id"], product.as_str());
    assert_eq!(updated["data"]["slug"], "item-0");
    assert_eq!(updated["data"]["name"], "Renamed item");
    assert_eq!(updated["data"]["previousSlug"], Value::Null);
    assert!(verifies(&received[0], &first_secret));

    let rotated = shop
        .admin
        .mutate_ok(
            "mutation($id: ID!) { webhookSecretRotate(id: $id) { webhook { id } secret userErrors { field code message } } }",
            json!({ "id": webhook }),
        )
        .await?;
    let second_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(second_secret, first_secret);
    assert!(second_secret.starts_with("whsec_"));

    shop.admin
        .mutate_ok(
            PRODUCT_UPDATE,
            json!({ "id": product, "input": { "slug": "renamed-item" } }),
        )
        .await?;
    let received = receiver
        .until(Duration::from_secs(20), "the second PRODUCT_UPDATED", |r| {
            r.len() == 2
        })
        .await?;
    let renamed = received[1].json();
    assert_eq!(renamed["data"]["slug"], "renamed-item");
    assert_eq!(renamed["data"]["previousSlug"], "item-0");
    assert!(
        verifies(&received[1], &second_secret),
        "the new secret verifies"
    );
    assert!(
        !verifies(&received[1], &first_secret),
        "the old one no longer does"
    );

    // Selling out: two messages of one stock event, each with its own id.
    shop.set_stock(0, 0).await?;
    let received = receiver
        .until(
            Duration::from_secs(20),
            "STOCK_CHANGED and STOCK_OUT",
            |r| r.len() == 4,
        )
        .await?;
    let mut stock: Vec<Value> = received[2..].iter().map(Received::json).collect();
    stock.sort_by_key(|m| m["topic"].as_str().unwrap_or_default().to_owned());
    assert_eq!(stock[0]["topic"], "STOCK_CHANGED");
    assert_eq!(stock[1]["topic"], "STOCK_OUT");
    assert_ne!(stock[0]["id"], stock[1]["id"]);
    for message in &stock {
        let data = &message["data"];
        assert_eq!(
            data["variantId"],
            shop.items[0].variant.to_string().as_str()
        );
        assert_eq!(data["productId"], product.as_str());
        assert_eq!(data["productSlug"], "renamed-item");
        assert_eq!(data["available"], 0);
        assert_eq!(data["inStock"], false);
    }
    assert!(received[2..].iter().all(|r| verifies(r, &second_secret)));
    shop.server.stop().await
}
e2e!(catalog_and_stock_messages_carry_ids_and_slugs_and_rotation_takes_effect);
