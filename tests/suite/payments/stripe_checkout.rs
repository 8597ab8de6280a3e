//! Checkout paying through Stripe: what Stripe is asked, and what each answer does to the
//! order.

use super::*;
use e2e::VariantSpec;

async fn a_card_that_pays_pays_the_order(backend: Backend) -> anyhow::Result<()> {
    let shop = StripeShop::open(backend, &[1999]).await?;
    let order = placed(&shop.checkout(shop.cart(0).await?, "pm_card_visa").await?);
    assert_eq!(
        (&order["status"], &order["paymentStatus"]),
        (&json!("PAID"), &json!("PAID"))
    );
    let payment = &order["payments"][0];
    assert_eq!(payment["provider"], "stripe");
    let reference = payment["reference"].as_str().unwrap();
    assert!(reference.starts_with("pi_"), "{reference}");

    let created = shop.stripe.requests_to("POST", "/v1/payment_intents");
    assert_eq!(created.len(), 1);
    let request = &created[0];
    assert_eq!(
        request.param("amount"),
        Some(minor(&order["total"]["amount"]).to_string().as_str())
    );
    assert_eq!(request.param("currency"), Some("usd"));
    assert_eq!(request.param("payment_method"), Some("pm_card_visa"));
    assert_eq!(request.param("confirm"), Some("true"));
    assert_eq!(request.param("capture_method"), Some("automatic"));
    assert_eq!(
        request.param("metadata[order_id]"),
        order["id"].as_str(),
        "Stripe's webhooks name our order"
    );
    assert!(
        request
            .idempotency_key
            .as_deref()
            .is_some_and(|k| !k.is_empty()),
        "{request:?}"
    );
    assert_eq!(
        shop.stripe.intent(reference).unwrap()["status"],
        "succeeded"
    );
    shop.stop().await
}
e2e!(a_card_that_pays_pays_the_order);

async fn a_declined_card_cancels_the_order_and_gives_the_stock_back(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = StripeShop::open(backend, &[1999]).await?;
    let response = shop
        .checkout(shop.cart(0).await?, "pm_card_chargeDeclined")
        .await?;
    let payload = &response.data()["checkoutComplete"];
    let errors = payload["userErrors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{payload}");
    assert_eq!(errors[0]["code"], "PAYMENT_DECLINED");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("Your card was declined."),
        "Stripe's message for the buyer: {}",
        errors[0]["message"]
    );
    let order = shop.order(&payload["order"]["id"]).await?;
    assert_eq!(order["status"], "CANCELLED");
    assert_eq!(shop.allocated(0).await?, 0, "the unit went back to stock");
    // A refusal is final: asked once, not retried.
    assert_eq!(
        shop.stripe.requests_to("POST", "/v1/payment_intents").len(),
        1
    );
    shop.stop().await
}
e2e!(a_declined_card_cancels_the_order_and_gives_the_stock_back);

async fn yen_are_sent_as_whole_yen(backend: Backend) -> anyhow::Result<()> {
    let shop = StripeShop::open(backend, &[]).await?;
    let product = shop
        .shop
        .admin
        .product("Tea bowl")
        .variant(
            VariantSpec::new("BOWL-1")
                // 1,200 yen (the builder writes "1200.00", which is exact in yen).
                .price("JPY", 120_000)
                .stock(shop.shop.warehouse, 10),
        )
        .create()
        .await?;
    let created = shop
        .shop
        .guest
        .mutate_ok(
            "mutation($input: CartCreateInput) { cartCreate(input: $input) { cart { id currencyCode } userErrors { field code message } } }",
            json!({ "input": {
                "currencyCode": "JPY",
                "lines": [{ "variantId": product.variants[0].id.to_string(), "quantity": 2 }],
                "buyerIdentity": {
                    "email": e2e::BUYER_EMAIL,
                    "shippingAddress": { "address1": "1-1 Chiyoda", "city": "Tokyo", "zip": "100-0001", "countryCode": "JP" }
                }
            } }),
        )
        .await?;
    assert_eq!(created["cart"]["currencyCode"], "JPY");
    let order = placed(
        &shop
            .checkout(created["cart"]["id"].as_str().unwrap(), "pm_card_visa")
            .await?,
    );
    assert_eq!(order["status"], "PAID");
    let total = &order["total"];
    assert_eq!(total["currencyCode"], "JPY");
    let yen = total["amount"].as_str().unwrap();
    assert!(!yen.contains('.'), "yen have no fraction: {yen}");
    let sent = &shop.stripe.requests_to("POST", "/v1/payment_intents")[0];
    assert_eq!(sent.param("currency"), Some("jpy"));
    assert_eq!(sent.param("amount"), Some(yen), "whole yen, not hundredths");
    assert!(yen.parse::<i64>()? >= 2_400, "two bowls at least: {yen}");

    // A refund in yen goes back as whole yen too.
    let refund = shop
        .shop
        .admin
        .mutate(
            "mutation($id: ID!) { orderRefundCreate(orderId: $id, input: { amount: \"100\" }, idempotencyKey: \"jpy\") { refund { status amount { amount currencyCode } } userErrors { code message } } }",
            json!({ "id": order["id"] }),
        )
        .await?;
    assert_eq!(refund["refund"]["status"], "SUCCEEDED", "{refund}");
    assert_eq!(
        refund["refund"]["amount"],
        json!({ "amount": "100", "currencyCode": "JPY" })
    );
    let sent = &shop.stripe.requests_to("POST", "/v1/refunds")[0];
    assert_eq!(sent.param("amount"), Some("100"));
    shop.stop().await
}
e2e!(yen_are_sent_as_whole_yen);

async fn a_transient_failure_is_retried_with_the_same_key(backend: Backend) -> anyhow::Result<()> {
    let shop = StripeShop::open(backend, &[1999]).await?;
    shop.stripe.fail_next(1);
    let order = placed(&shop.checkout(shop.cart(0).await?, "pm_card_visa").await?);
    assert_eq!(order["status"], "PAID");
    let created = shop.stripe.requests_to("POST", "/v1/payment_intents");
    assert_eq!(created.len(), 2, "the 500, then the retry");
    assert!(created[0].idempotency_key.is_some());
    assert_eq!(created[0].idempotency_key, created[1].idempotency_key);
    assert_eq!(created[0].params, created[1].params);
    shop.stop().await
}
e2e!(a_transient_failure_is_retried_with_the_same_key);
