//! Money after checkout through Stripe: the staff mutations reach the stand-in's capture,
//! cancel and refund endpoints with our idempotency keys and metadata, and Stripe's
//! answers and webhooks settle the order.

use super::*;
use e2e::stripe::{STRIPE_WEBHOOK_SECRET, send_event};

const MONEY: &str = "order { status paymentStatus payments { status capturedAmount { amount } refundedAmount { amount } } refunds { id status reference amount { amount } } events { kind } } userErrors { code message }";

fn capture_query() -> String {
    format!(
        "mutation($id: ID!, $amount: Decimal) {{ orderPaymentCapture(orderId: $id, amount: $amount) {{ {MONEY} }} }}"
    )
}

fn void_query() -> String {
    format!("mutation($id: ID!) {{ orderPaymentVoid(orderId: $id) {{ {MONEY} }} }}")
}

fn refund_query() -> String {
    format!(
        "mutation($id: ID!, $input: OrderRefundInput!, $key: String!) {{ orderRefundCreate(orderId: $id, input: $input, idempotencyKey: $key) {{ refund {{ id status reference amount {{ amount }} }} {MONEY} }} }}"
    )
}

/// A shop that only authorizes at checkout; one item at 45.00 (+ 5.00 shipping).
async fn authorizing_shop(backend: Backend) -> anyhow::Result<StripeShop> {
    StripeShop::open_with(backend, &[4500], |config| {
        config.commerce.payment_capture = shopgraph::config::Capture::Manual;
    })
    .await
}

async fn staff_capture_part_of_an_authorization_and_refund_it(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = authorizing_shop(backend).await?;
    let order = placed(&shop.checkout(shop.cart(0).await?, "pm_card_visa").await?);
    assert_eq!(order["status"], "PLACED");
    assert_eq!(order["paymentStatus"], "AUTHORIZED");
    let intent = order["payments"][0]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = &shop.stripe.requests_to("POST", "/v1/payment_intents")[0];
    assert_eq!(created.param("capture_method"), Some("manual"));

    let id = order["id"].clone();
    let captured = shop
        .staff(&capture_query(), json!({ "id": id, "amount": "30.00" }))
        .await?;
    assert_eq!(captured["userErrors"], json!([]), "{captured}");
    assert_eq!(captured["order"]["paymentStatus"], "PAID");
    assert_eq!(
        captured["order"]["payments"][0]["capturedAmount"]["amount"],
        "30.00"
    );
    let capture = &shop
        .stripe
        .requests_to("POST", &format!("/v1/payment_intents/{intent}/capture"))[0];
    assert_eq!(capture.param("amount_to_capture"), Some("3000"));
    assert!(capture.idempotency_key.is_some());
    assert_eq!(
        shop.stripe.intent(&intent).unwrap()["amount_received"],
        3000
    );

    let refunded = shop
        .staff(
            &refund_query(),
            json!({ "id": id, "input": { "amount": "10.00", "reason": "late" }, "key": "r1" }),
        )
        .await?;
    assert_eq!(refunded["refund"]["status"], "SUCCEEDED", "{refunded}");
    assert!(
        refunded["refund"]["reference"]
            .as_str()
            .unwrap()
            .starts_with("re_")
    );
    let refund_id = refunded["refund"]["id"].as_str().unwrap();
    let sent = &shop.stripe.requests_to("POST", "/v1/refunds")[0];
    assert_eq!(sent.param("payment_intent"), Some(intent.as_str()));
    assert_eq!(sent.param("amount"), Some("1000"));
    assert_eq!(sent.param("metadata[refund_id]"), Some(refund_id));
    assert_eq!(sent.param("metadata[order_id]"), id.as_str());
    assert_eq!(
        sent.idempotency_key.as_deref(),
        Some(format!("{refund_id}-refund").as_str())
    );
    assert_eq!(refunded["order"]["paymentStatus"], "PARTIALLY_REFUNDED");

    // 20.00 is left of the 30.00 captured: 25.00 is refused before Stripe is asked.
    let too_much = shop
        .staff(
            &refund_query(),
            json!({ "id": id, "input": { "amount": "25.00" }, "key": "r2" }),
        )
        .await?;
    assert_eq!(
        too_much["userErrors"][0]["code"], "REFUND_TOO_LARGE",
        "{too_much}"
    );
    assert_eq!(shop.stripe.requests_to("POST", "/v1/refunds").len(), 1);

    // Stripe's own report of the refund changes nothing more.
    let charge = json!({
        "id": "ch_1", "object": "charge", "payment_intent": intent, "amount_refunded": 1000,
        "metadata": { "order_id": id },
        "refunds": { "data": [{ "id": refunded["refund"]["reference"], "status": "succeeded", "amount": 1000,
                                "payment_intent": intent, "metadata": { "order_id": id, "refund_id": refund_id } }] }
    });
    let (status, _) = send_event(
        &shop.webhook_url(),
        STRIPE_WEBHOOK_SECRET,
        "charge.refunded",
        charge,
    )
    .await?;
    assert_eq!(status, 200);
    let after = shop.order(&id).await?;
    assert_eq!(after["paymentStatus"], "PARTIALLY_REFUNDED");
    assert_eq!(entries(&after, "PARTIALLY_REFUNDED"), 1);
    shop.stop().await
}
e2e!(staff_capture_part_of_an_authorization_and_refund_it);

async fn staff_void_an_authorization_at_stripe(backend: Backend) -> anyhow::Result<()> {
    let shop = authorizing_shop(backend).await?;
    let order = placed(&shop.checkout(shop.cart(0).await?, "pm_card_visa").await?);
    let id = order["id"].clone();
    let intent = order["payments"][0]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(shop.allocated(0).await?, 1);
    let voided = shop.staff(&void_query(), json!({ "id": id })).await?;
    assert_eq!(voided["userErrors"], json!([]), "{voided}");
    assert_eq!(voided["order"]["status"], "CANCELLED");
    assert_eq!(voided["order"]["paymentStatus"], "VOIDED");
    let cancel = shop
        .stripe
        .requests_to("POST", &format!("/v1/payment_intents/{intent}/cancel"));
    assert_eq!(cancel.len(), 1);
    assert_eq!(shop.stripe.intent(&intent).unwrap()["status"], "canceled");
    assert_eq!(shop.allocated(0).await?, 0, "the stock is released");

    // Stripe then reports the cancellation: acknowledged, nothing happens twice.
    let object = shop.stripe.intent(&intent).unwrap();
    let (status, _) = send_event(
        &shop.webhook_url(),
        STRIPE_WEBHOOK_SECRET,
        "payment_intent.canceled",
        object,
    )
    .await?;
    assert_eq!(status, 200);
    let after = shop.order(&id).await?;
    assert_eq!(entries(&after, "PAYMENT_VOIDED"), 1);
    assert_eq!(entries(&after, "CANCELLED"), 1);
    shop.stop().await
}
e2e!(staff_void_an_authorization_at_stripe);

async fn a_refund_stripe_fails_moves_no_money(backend: Backend) -> anyhow::Result<()> {
    let shop = StripeShop::open(backend, &[4500]).await?;
    let order = placed(
        &shop
            .checkout(shop.cart(0).await?, "pm_card_refundFail")
            .await?,
    );
    assert_eq!(order["paymentStatus"], "PAID");
    let id = order["id"].clone();
    let failed = shop
        .staff(
            &refund_query(),
            json!({ "id": id, "input": { "amount": "5.00" }, "key": "r1" }),
        )
        .await?;
    assert_eq!(failed["refund"]["status"], "FAILED", "{failed}");
    assert_eq!(failed["userErrors"][0]["code"], "PAYMENT_FAILED");
    assert_eq!(failed["order"]["paymentStatus"], "PAID");
    assert_eq!(
        failed["order"]["payments"][0]["refundedAmount"]["amount"],
        "0.00"
    );
    assert_eq!(entries(&failed["order"], "REFUND_FAILED"), 1);
    shop.stop().await
}
e2e!(a_refund_stripe_fails_moves_no_money);

/// Stripe unreachable: the refund stays PENDING with its money reserved; sending the same
/// request again asks Stripe again with the same key and settles it.
async fn an_unreachable_stripe_leaves_the_refund_pending_until_retried(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = StripeShop::open(backend, &[4500]).await?;
    let order = placed(&shop.checkout(shop.cart(0).await?, "pm_card_visa").await?);
    let id = order["id"].clone();
    let request = json!({ "id": id, "input": { "amount": "40.00" }, "key": "r1" });
    shop.stripe.fail_next(1);
    let pending = shop.staff(&refund_query(), request.clone()).await?;
    assert_eq!(pending["refund"]["status"], "PENDING", "{pending}");
    assert_eq!(pending["userErrors"][0]["code"], "PAYMENT_FAILED");
    assert_eq!(pending["order"]["paymentStatus"], "PAID");
    // Its 40.00 is reserved: another 20.00 does not fit in the 50.00 captured.
    let other = shop
        .staff(
            &refund_query(),
            json!({ "id": id, "input": { "amount": "20.00" }, "key": "r2" }),
        )
        .await?;
    assert_eq!(
        other["userErrors"][0]["code"], "REFUND_TOO_LARGE",
        "{other}"
    );

    let retried = shop.staff(&refund_query(), request).await?;
    assert_eq!(retried["refund"]["status"], "SUCCEEDED", "{retried}");
    assert_eq!(retried["refund"]["id"], pending["refund"]["id"]);
    assert_eq!(
        retried["order"]["payments"][0]["refundedAmount"]["amount"],
        "40.00"
    );
    let keys: Vec<Option<String>> = shop
        .stripe
        .requests_to("POST", "/v1/refunds")
        .into_iter()
        .map(|r| r.idempotency_key)
        .collect();
    assert_eq!(keys.len(), 2, "the failed call and the retry");
    assert_eq!(keys[0], keys[1], "one key: Stripe cannot refund twice");
    shop.stop().await
}
e2e!(an_unreachable_stripe_leaves_the_refund_pending_until_retried);
