//! Stripe's webhooks: signed as Stripe signs them, settling payments that waited for the
//! customer, and never settling one twice.

use super::*;
use e2e::stripe::{event, post_event, send_event, signature};

async fn a_payment_needing_the_customer_is_settled_by_stripes_webhook(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = StripeShop::open(backend, &[1999]).await?;
    let order = placed(
        &shop
            .checkout(shop.cart(0).await?, "pm_card_authenticationRequired")
            .await?,
    );
    assert_eq!(order["status"], "PLACED");
    let payment = &order["payments"][0];
    let reference = payment["reference"].as_str().unwrap().to_owned();
    assert!(reference.starts_with("pi_"), "{reference}");
    assert_eq!(payment["nextAction"]["type"], "use_stripe_sdk");
    let secret = payment["nextAction"]["clientSecret"].as_str().unwrap();
    assert!(
        secret.starts_with(&format!("{reference}_secret_")),
        "Stripe.js needs the intent's client secret: {secret}"
    );

    // The customer passes 3-D Secure; Stripe says so.
    let intent = shop.stripe.authenticate(&reference);
    let body = event("payment_intent.succeeded", intent).to_string();
    let now = chrono::Utc::now().timestamp();
    let url = shop.webhook_url();

    // Forged and stale deliveries are refused and change nothing.
    for bad in [
        signature("whsec_not_the_secret", &body, now),
        signature(STRIPE_WEBHOOK_SECRET, &body, now - 600),
        String::new(),
    ] {
        let (status, _) = post_event(&url, &body, &bad).await?;
        assert_eq!(status, 401, "{bad}");
    }
    let unchanged = shop.order(&order["id"]).await?;
    assert_eq!(unchanged["status"], "PLACED");
    assert_eq!(
        unchanged["payments"][0]["nextAction"]["type"],
        "use_stripe_sdk"
    );

    let (status, answer) =
        post_event(&url, &body, &signature(STRIPE_WEBHOOK_SECRET, &body, now)).await?;
    assert_eq!((status, &answer["message"]), (200, &json!("applied")));
    let paid = shop.order(&order["id"]).await?;
    assert_eq!(paid["status"], "PAID");
    assert_eq!(paid["payments"][0]["nextAction"], Value::Null);
    assert_eq!(paid["payments"][0]["reference"], reference.as_str());

    // Stripe delivers again (it retries): acknowledged, nothing more happens.
    let (status, answer) =
        post_event(&url, &body, &signature(STRIPE_WEBHOOK_SECRET, &body, now)).await?;
    assert_eq!(
        (status, &answer["message"]),
        (200, &json!("already processed"))
    );
    let again = shop.order(&order["id"]).await?;
    assert_eq!(entries(&again, "PAID"), 1, "{again}");
    shop.stop().await
}
e2e!(a_payment_needing_the_customer_is_settled_by_stripes_webhook);

async fn a_webhook_overtaking_checkouts_answer_still_pays_once(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = StripeShop::open(backend, &[1999]).await?;
    shop.stripe.succeed_by_webhook_first(shop.webhook_url());
    let response = shop.checkout(shop.cart(0).await?, "pm_card_visa").await?;
    let payload = &response.data()["checkoutComplete"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let answers = shop.stripe.early_answers();
    assert_eq!(answers.len(), 1, "the webhook went first");
    assert_eq!(
        (answers[0].0, &answers[0].1["message"]),
        (200, &json!("applied")),
        "the webhook paid the order before checkout heard back"
    );
    let order = shop.order(&payload["order"]["id"]).await?;
    assert_eq!(order["status"], "PAID");
    assert_eq!(entries(&order, "PAID"), 1, "{order}");
    assert_eq!(order["payments"].as_array().unwrap().len(), 1);
    assert!(
        order["payments"][0]["reference"]
            .as_str()
            .unwrap()
            .starts_with("pi_")
    );
    shop.stop().await
}
e2e!(a_webhook_overtaking_checkouts_answer_still_pays_once);

async fn events_that_are_not_ours_are_acknowledged_and_ignored(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = StripeShop::open(backend, &[1999]).await?;
    let order = placed(
        &shop
            .checkout(shop.cart(0).await?, "pm_card_authenticationRequired")
            .await?,
    );
    let url = shop.webhook_url();
    // Another integration's payment on the same Stripe account, and an event type not used:
    // 200 (Stripe would retry anything else for days), and the order is untouched.
    let foreign = json!({ "id": "pi_other", "object": "payment_intent", "status": "succeeded",
                          "amount_received": 500, "currency": "usd", "metadata": {} });
    let unknown_order = json!({ "id": "pi_other2", "object": "payment_intent", "status": "succeeded",
                                "amount_received": 500, "currency": "usd",
                                "metadata": { "order_id": uuid::Uuid::new_v4().to_string() } });
    for (kind, object) in [
        ("payment_intent.succeeded", foreign),
        ("payment_intent.succeeded", unknown_order),
        (
            "customer.created",
            json!({ "id": "cus_1", "object": "customer" }),
        ),
    ] {
        let (status, answer) = send_event(&url, STRIPE_WEBHOOK_SECRET, kind, object).await?;
        assert_eq!(
            (status, &answer["message"]),
            (200, &json!("ignored")),
            "{kind}"
        );
    }
    assert_eq!(shop.order(&order["id"]).await?["status"], "PLACED");

    // A failed payment for our order cancels it and frees its stock.
    let mut failed = shop
        .stripe
        .intent(order["payments"][0]["reference"].as_str().unwrap())
        .unwrap();
    failed["status"] = json!("requires_payment_method");
    failed["last_payment_error"] =
        json!({ "type": "card_error", "message": "Your card has insufficient funds." });
    let (status, _) = send_event(
        &url,
        STRIPE_WEBHOOK_SECRET,
        "payment_intent.payment_failed",
        failed,
    )
    .await?;
    assert_eq!(status, 200);
    assert_eq!(shop.order(&order["id"]).await?["status"], "CANCELLED");
    assert_eq!(shop.allocated(0).await?, 0);
    shop.stop().await
}
e2e!(events_that_are_not_ours_are_acknowledged_and_ignored);
