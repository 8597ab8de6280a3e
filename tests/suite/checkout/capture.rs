//! Authorizations: staff capture all or part of them, or void them (SPEC §8).

use super::money::{history, user_error_code};
use super::*;

/// One item at 45.00 plus 5.00 shipping: a 50.00 order.
async fn shop(backend: Backend) -> anyhow::Result<Shop> {
    Shop::open(backend, &[4500], |_| {}).await
}

async fn authorize_then_capture_part_releases_the_rest(backend: Backend) -> anyhow::Result<()> {
    let shop = shop(backend).await?;
    let order = shop.order_paid_with(&[(0, 1)], "tok_authorize").await?;
    let held = shop.money_of(order).await?;
    assert_eq!(held["status"], "PLACED");
    assert_eq!(held["paymentStatus"], "AUTHORIZED");
    assert_eq!(held["payments"][0]["status"], "AUTHORIZED");
    assert_eq!(held["payments"][0]["amount"]["amount"], "50.00");
    assert_eq!(held["payments"][0]["capturedAmount"]["amount"], "0.00");
    assert_eq!(
        shop.stock_of(0).await?,
        (10, 1),
        "an authorization holds the stock"
    );

    // More than authorized, nothing, and a negative amount are refused and change nothing.
    for (amount, why) in [
        ("50.01", "over"),
        ("0", "zero"),
        ("-1", "negative"),
        ("1.001", "precision"),
    ] {
        let refused = shop.capture(order, Some(amount)).await?;
        assert_eq!(user_error_code(&refused), "INVALID", "{why}: {refused}");
    }
    assert_eq!(shop.money_of(order).await?["paymentStatus"], "AUTHORIZED");

    let awaiting = "{ orders(filter: { paymentStatus: [AUTHORIZED] }) { nodes { id } } }";
    let listed = shop.admin.graphql(awaiting, json!({})).await?;
    assert_eq!(
        listed.data()["orders"]["nodes"],
        json!([{ "id": order.to_string() }])
    );

    let captured = shop.capture(order, Some("30.00")).await?;
    assert_eq!(captured["userErrors"], json!([]), "{captured}");
    let order_now = &captured["order"];
    assert_eq!(order_now["status"], "PAID");
    assert_eq!(order_now["paymentStatus"], "PAID");
    assert_eq!(
        order_now["payments"][0]["capturedAmount"]["amount"],
        "30.00"
    );
    assert_eq!(order_now["payments"][0]["amount"]["amount"], "50.00");
    let kinds = history(order_now);
    assert_eq!(
        kinds,
        ["PLACED", "PAYMENT_AUTHORIZED", "PAYMENT_CAPTURED", "PAID"]
    );

    let listed = shop.admin.graphql(awaiting, json!({})).await?;
    assert_eq!(
        listed.data()["orders"]["nodes"],
        json!([]),
        "nothing waits for a capture"
    );

    // The other 20.00 was released with the capture: nothing is left to capture or void.
    for refused in [shop.capture(order, None).await?, shop.void(order).await?] {
        assert_eq!(user_error_code(&refused), "ILLEGAL_TRANSITION", "{refused}");
    }
    // Only what was captured can be refunded.
    let too_much = shop
        .refund(order, json!({ "amount": "30.01" }), "r1")
        .await?;
    assert_eq!(user_error_code(&too_much), "REFUND_TOO_LARGE", "{too_much}");
    let all = shop
        .refund(order, json!({ "amount": "30.00" }), "r2")
        .await?;
    assert_eq!(all["refund"]["status"], "SUCCEEDED", "{all}");
    assert_eq!(all["order"]["paymentStatus"], "REFUNDED");
    assert_eq!(all["order"]["status"], "REFUNDED");
    shop.server.stop().await
}
e2e!(authorize_then_capture_part_releases_the_rest);

async fn voiding_an_authorization_cancels_the_order_and_releases_its_stock(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = shop(backend).await?;
    let order = shop.order_paid_with(&[(0, 2)], "tok_authorize").await?;
    assert_eq!(shop.stock_of(0).await?, (10, 2));
    // Cancelling would leave the money held at the provider: staff void instead.
    let cancel = shop
        .admin
        .order_action(e2e::OrderAction::Cancel, order)
        .await?;
    assert_eq!(user_error_code(&cancel), "ILLEGAL_TRANSITION", "{cancel}");
    assert!(
        cancel["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("AUTHORIZED")
    );

    let voided = shop.void(order).await?;
    assert_eq!(voided["userErrors"], json!([]), "{voided}");
    let after = &voided["order"];
    assert_eq!(after["status"], "CANCELLED");
    assert_eq!(after["paymentStatus"], "VOIDED");
    assert_eq!(after["payments"][0]["status"], "VOIDED");
    assert_eq!(after["payments"][0]["capturedAmount"]["amount"], "0.00");
    assert_eq!(
        history(after),
        [
            "PLACED",
            "PAYMENT_AUTHORIZED",
            "PAYMENT_VOIDED",
            "CANCELLED"
        ]
    );
    assert_eq!(shop.stock_of(0).await?, (10, 0), "the stock is released");

    // Nothing more can happen to its money.
    for refused in [shop.void(order).await?, shop.capture(order, None).await?] {
        assert_eq!(user_error_code(&refused), "ILLEGAL_TRANSITION", "{refused}");
    }
    let refund = shop.refund(order, json!({ "amount": "1.00" }), "r").await?;
    assert_eq!(user_error_code(&refund), "ILLEGAL_TRANSITION", "{refund}");
    shop.server.stop().await
}
e2e!(voiding_an_authorization_cancels_the_order_and_releases_its_stock);

async fn concurrent_captures_and_voids_take_effect_once(backend: Backend) -> anyhow::Result<()> {
    let shop = shop(backend).await?;
    let order = shop.order_paid_with(&[(0, 1)], "tok_authorize").await?;
    let attempts = (0..6).map(|n| {
        let shop = &shop;
        async move {
            if n % 2 == 0 {
                shop.capture(order, Some("10.00")).await
            } else {
                shop.void(order).await
            }
        }
    });
    let answers = futures_util::future::try_join_all(attempts).await?;
    let succeeded: Vec<&Value> = answers
        .iter()
        .filter(|a| a["userErrors"] == json!([]))
        .collect();
    assert_eq!(succeeded.len(), 1, "{answers:?}");
    for refused in answers.iter().filter(|a| a["userErrors"] != json!([])) {
        let code = user_error_code(refused);
        assert!(
            code == "PAYMENT_BUSY" || code == "ILLEGAL_TRANSITION",
            "{refused}"
        );
    }
    let after = shop.money_of(order).await?;
    let captured = after["payments"][0]["capturedAmount"]["amount"].clone();
    match after["paymentStatus"].as_str().unwrap() {
        "PAID" => assert_eq!(captured, "10.00"),
        "VOIDED" => assert_eq!(captured, "0.00"),
        other => panic!("unexpected payment status {other}"),
    }
    let money_moves = history(&after)
        .iter()
        .filter(|k| *k == "PAYMENT_CAPTURED" || *k == "PAYMENT_VOIDED")
        .count();
    assert_eq!(money_moves, 1);
    shop.server.stop().await
}
e2e!(concurrent_captures_and_voids_take_effect_once);

async fn only_staff_move_money_and_only_when_it_is_held(backend: Backend) -> anyhow::Result<()> {
    let shop = shop(backend).await?;
    // A manual order has nothing authorized to capture.
    let manual = shop.ready_cart(&[(0, 1)]).await?;
    let manual = order_id(placed(
        &shop.checkout(&shop.guest, manual, "k", Value::Null).await?,
    ));
    let refused = shop.capture(manual, None).await?;
    assert_eq!(user_error_code(&refused), "ILLEGAL_TRANSITION", "{refused}");
    assert!(
        refused["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("PENDING")
    );

    let held = shop.order_paid_with(&[(0, 1)], "tok_authorize").await?;
    let customer = shop.server.customer("eve@example.com").await?;
    let query = "mutation($id: ID!) { orderPaymentCapture(orderId: $id) { userErrors { code } } }";
    let forbidden = customer
        .graphql(query, json!({ "id": held.to_string() }))
        .await?;
    assert_eq!(
        forbidden.error_code(),
        Some("FORBIDDEN"),
        "{}",
        forbidden.body
    );
    let unknown = shop.capture(OrderId(uuid::Uuid::now_v7()), None).await?;
    assert_eq!(user_error_code(&unknown), "NOT_FOUND");
    assert_eq!(shop.money_of(held).await?["paymentStatus"], "AUTHORIZED");
    shop.server.stop().await
}
e2e!(only_staff_move_money_and_only_when_it_is_held);

/// A provider telling us an authorization was released at its end (a dashboard, an expiry)
/// voids the order like staff would.
async fn a_cancellation_notice_voids_an_authorized_order(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[4500], |config| {
        config.commerce.payment_webhook_secret = Some(super::webhooks::SECRET.to_owned());
    })
    .await?;
    let order = shop.order_paid_with(&[(0, 1)], "tok_authorize").await?;
    let body =
        json!({ "id": "evt_cancel_1", "type": "payment.canceled", "orderId": order.to_string() })
            .to_string();
    let now = chrono::Utc::now().timestamp();
    let signed = super::webhooks::signature(super::webhooks::SECRET, &body, now);
    let answer = super::webhooks::post(&shop, "test", &body, &signed).await?;
    assert_eq!(answer.0, 200, "{answer:?}");
    let after = shop.money_of(order).await?;
    assert_eq!(after["paymentStatus"], "VOIDED");
    assert_eq!(after["status"], "CANCELLED");
    assert_eq!(shop.stock_of(0).await?, (10, 0));
    shop.server.stop().await
}
e2e!(a_cancellation_notice_voids_an_authorized_order);
