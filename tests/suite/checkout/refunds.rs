//! Refunds (SPEC §8): never more than was captured, whatever runs at once; one refund per
//! idempotency key; a refused refund moves nothing; lines priced from the order snapshot.

use super::money::{history, user_error_code};
use super::*;
use entities::outbox;
use sea_orm::{ActiveModelTrait, PaginatorTrait};

/// One item at 45.00 plus 5.00 shipping: a 50.00 order.
async fn shop(backend: Backend) -> anyhow::Result<Shop> {
    Shop::open(backend, &[4500], |_| {}).await
}

async fn concurrent_refunds_never_exceed_the_capture(backend: Backend) -> anyhow::Result<()> {
    let shop = shop(backend).await?;
    let order = shop.order_paid_with(&[(0, 1)], "tok_visa").await?;
    assert_eq!(shop.money_of(order).await?["total"]["amount"], "50.00");
    let refunds = (0..20).map(|n| {
        let shop = &shop;
        async move {
            shop.refund(order, json!({ "amount": "10.00" }), &format!("key-{n}"))
                .await
        }
    });
    let answers = futures_util::future::try_join_all(refunds).await?;
    let succeeded = answers
        .iter()
        .filter(|a| a["refund"]["status"] == "SUCCEEDED")
        .count();
    assert_eq!(succeeded, 5, "{answers:?}");
    // Refused for want of money left, or — once the last one settled — because the order
    // is refunded.
    for refused in answers.iter().filter(|a| a["refund"].is_null()) {
        let code = user_error_code(refused);
        assert!(
            code == "REFUND_TOO_LARGE" || code == "ILLEGAL_TRANSITION",
            "{refused}"
        );
    }
    let after = shop.money_of(order).await?;
    assert_eq!(after["payments"][0]["refundedAmount"]["amount"], "50.00");
    assert_eq!(after["refunds"].as_array().unwrap().len(), 5);
    assert_eq!(after["paymentStatus"], "REFUNDED");
    assert_eq!(after["status"], "REFUNDED");
    assert_eq!(
        shop.stock_of(0).await?,
        (10, 0),
        "an unshipped refunded order's stock returns"
    );
    let partial = history(&after)
        .iter()
        .filter(|k| *k == "PARTIALLY_REFUNDED")
        .count();
    assert_eq!(
        partial, 4,
        "four partial refunds, then the last one: {after}"
    );
    shop.server.stop().await
}
e2e!(concurrent_refunds_never_exceed_the_capture);

async fn one_key_sent_twenty_times_makes_one_refund(backend: Backend) -> anyhow::Result<()> {
    let shop = shop(backend).await?;
    let order = shop.order_paid_with(&[(0, 1)], "tok_visa").await?;
    let refunds = (0..20).map(|_| {
        let shop = &shop;
        async move {
            shop.refund(order, json!({ "amount": "10.00" }), "the-key")
                .await
        }
    });
    let answers = futures_util::future::try_join_all(refunds).await?;
    let first = &answers[0]["refund"]["id"];
    assert!(first.is_string(), "{:?}", answers[0]);
    for answer in &answers {
        assert_eq!(&answer["refund"]["id"], first, "{answer}");
        assert_eq!(answer["refund"]["status"], "SUCCEEDED", "{answer}");
    }
    let after = shop.money_of(order).await?;
    assert_eq!(after["refunds"].as_array().unwrap().len(), 1);
    assert_eq!(after["payments"][0]["refundedAmount"]["amount"], "10.00");
    assert_eq!(after["paymentStatus"], "PARTIALLY_REFUNDED");
    assert_eq!(
        after["status"], "PAID",
        "a partial refund leaves the order as it was"
    );
    shop.server.stop().await
}
e2e!(one_key_sent_twenty_times_makes_one_refund);

async fn a_refused_refund_moves_nothing_and_a_new_key_can_succeed(
    backend: Backend,
) -> anyhow::Result<()> {
    // Two units at 20.00 and 5.00 shipping: 45.00.
    let shop = Shop::open(backend, &[2000], |_| {}).await?;
    let order = shop.order_paid_with(&[(0, 2)], "tok_refund_fail").await?;
    let before = shop.money_of(order).await?;
    assert_eq!(before["total"]["amount"], "45.00");
    let line = before["lines"][0]["id"].clone();
    let input = json!({
        "lines": [{ "orderLineId": line, "quantity": 1 }],
        "includeShipping": true,
        "restock": true,
        "reason": "damaged",
    });
    let refused = shop.refund(order, input.clone(), "first").await?;
    assert_eq!(refused["refund"]["status"], "FAILED", "{refused}");
    assert_eq!(user_error_code(&refused), "PAYMENT_FAILED");
    let after = shop.money_of(order).await?;
    assert_eq!(after["payments"][0]["refundedAmount"]["amount"], "0.00");
    assert_eq!(after["paymentStatus"], "PAID");
    assert_eq!(after["lines"][0]["refundedQuantity"], 0);
    assert_eq!(shop.stock_of(0).await?, (10, 2), "no unit was restocked");
    assert_eq!(
        history(&after).last().map(String::as_str),
        Some("REFUND_FAILED")
    );

    // The same key answers with the same failed refund and asks nobody again.
    let again = shop.refund(order, input.clone(), "first").await?;
    assert_eq!(again["refund"]["id"], refused["refund"]["id"]);
    assert_eq!(again["refund"]["status"], "FAILED");
    assert_eq!(
        shop.money_of(order).await?["refunds"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Everything the failed refund claimed (money, the unit, the shipping charge) is free
    // again: a new key refunds it.
    let retried = shop.refund(order, input, "second").await?;
    assert_eq!(retried["refund"]["status"], "SUCCEEDED", "{retried}");
    assert_eq!(retried["userErrors"], json!([]));
    let done = &retried["order"];
    // One unit's share of the goods (40.00 paid for 2) plus the 5.00 shipping.
    assert_eq!(retried["refund"]["amount"]["amount"], "25.00");
    assert_eq!(done["payments"][0]["refundedAmount"]["amount"], "25.00");
    assert_eq!(done["lines"][0]["refundedQuantity"], 1);
    assert_eq!(done["paymentStatus"], "PARTIALLY_REFUNDED");
    assert_eq!(
        shop.stock_of(0).await?,
        (10, 1),
        "the refunded unit was released"
    );
    // The shipping charge goes back once.
    let shipping_again = shop
        .refund(order, json!({ "includeShipping": true }), "third")
        .await?;
    assert_eq!(
        user_error_code(&shipping_again),
        "INVALID",
        "{shipping_again}"
    );
    shop.server.stop().await
}
e2e!(a_refused_refund_moves_nothing_and_a_new_key_can_succeed);

/// Lines are priced from the order: their share of what was paid (discount and tax
/// apportioned, rounded down); restocking puts units back before and after shipping.
async fn line_refunds_apportion_discounts_and_tax_and_restock(
    backend: Backend,
) -> anyhow::Result<()> {
    let tax_rate = "8.25".parse()?;
    let shop = Shop::open(backend, &[1000, 500], |config| {
        config.commerce.tax_rate = tax_rate;
    })
    .await?;
    shop.discount("TENPC", entities::enums::DiscountKind::Percentage, 1000)
        .await?
        .insert(&shop.db)
        .await?;
    let cart = shop.ready_cart(&[(0, 3), (1, 1)]).await?;
    accepted(
        &shop.codes(cart, &["TENPC"]).await?,
        "cartDiscountCodesUpdate",
    );
    let payment = json!({ "provider": "test", "token": "tok_visa" });
    let order = order_id(placed(
        &shop.checkout(&shop.guest, cart, "k", payment).await?,
    ));
    let before = shop.money_of(order).await?;
    // "12.34" → 1234 (USD).
    let minor = |v: &Value| -> i64 { v.as_str().unwrap().replace('.', "").parse().unwrap() };
    let (total, shipping) = (
        minor(&before["total"]["amount"]),
        minor(&before["shippingTotal"]["amount"]),
    );
    let subtotal: i64 = before["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| minor(&l["total"]["amount"]))
        .sum();
    // The documented rule, computed here independently: floor(paid for goods × share).
    let expect = |line_total: i64, quantity: i64, units: i64| {
        (total - shipping) * line_total * units / (subtotal * quantity)
    };
    let first = before["lines"][0]["id"].clone();
    let second = before["lines"][1]["id"].clone();

    // One of the three units of the first line, restocked before shipping: released.
    let one = shop
        .refund(
            order,
            json!({ "lines": [{ "orderLineId": first, "quantity": 1 }], "restock": true }),
            "a",
        )
        .await?;
    assert_eq!(one["userErrors"], json!([]), "{one}");
    let one_amount = minor(&one["refund"]["amount"]["amount"]);
    assert_eq!(one_amount, expect(3000, 3, 1), "{one}");
    assert_eq!(one["refund"]["lines"][0]["quantity"], 1);
    assert_eq!(
        shop.stock_of(0).await?,
        (10, 2),
        "one of three allocated units released"
    );

    // Shipping ships what is still allocated: two units.
    shop.admin
        .order_action(e2e::OrderAction::Fulfill, order)
        .await?;
    assert_eq!(shop.stock_of(0).await?, (8, 0));
    // The second line after shipping, restocked: back on hand, and its subscribers told.
    let stock_events = || {
        outbox::Entity::find()
            .filter(outbox::Column::AggregateId.eq(shop.items[1].variant.uuid()))
            .filter(outbox::Column::Topic.eq("stock.changed"))
            .count(&shop.db)
    };
    let events_before = stock_events().await?;
    let two = shop
        .refund(
            order,
            json!({ "lines": [{ "orderLineId": second, "quantity": 1 }], "restock": true }),
            "b",
        )
        .await?;
    assert_eq!(
        minor(&two["refund"]["amount"]["amount"]),
        expect(500, 1, 1),
        "{two}"
    );
    assert_eq!(
        shop.stock_of(1).await?,
        (10, 0),
        "the returned unit is on hand again"
    );
    assert_eq!(
        stock_events().await?,
        events_before + 1,
        "stockChanged for the returned unit"
    );

    // More units than are left on a line, or the line twice, are refused.
    let over = shop
        .refund(
            order,
            json!({ "lines": [{ "orderLineId": second, "quantity": 1 }] }),
            "c",
        )
        .await?;
    assert_eq!(user_error_code(&over), "REFUND_TOO_LARGE", "{over}");
    let twice = shop
        .refund(order, json!({ "lines": [{ "orderLineId": first, "quantity": 1 }, { "orderLineId": first, "quantity": 1 }] }), "d")
        .await?;
    assert_eq!(user_error_code(&twice), "INVALID", "{twice}");

    // Everything left: the rest of the lines never adds up to more than was paid.
    let rest = shop
        .admin
        .order_action(e2e::OrderAction::Refund, order)
        .await?;
    assert_eq!(rest["order"]["status"], "REFUNDED", "{rest}");
    let after = shop.money_of(order).await?;
    assert_eq!(after["paymentStatus"], "REFUNDED");
    let refunded: i64 = after["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "SUCCEEDED")
        .map(|r| minor(&r["amount"]["amount"]))
        .sum();
    assert_eq!(refunded, total, "everything paid, and no more, went back");
    shop.server.stop().await
}
e2e!(line_refunds_apportion_discounts_and_tax_and_restock);

async fn bad_refund_requests_are_refused_and_change_nothing(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = shop(backend).await?;
    let order = shop.order_paid_with(&[(0, 1)], "tok_visa").await?;
    let line = shop.money_of(order).await?["lines"][0]["id"].clone();
    let cases = [
        (json!({}), "INVALID", "nothing to refund"),
        (json!({ "amount": "-1.00" }), "INVALID", "negative"),
        (json!({ "amount": "1.001" }), "INVALID", "too precise"),
        (
            json!({ "amount": "50.01" }),
            "REFUND_TOO_LARGE",
            "more than captured",
        ),
        (
            json!({ "lines": [{ "orderLineId": line, "quantity": 0 }] }),
            "INVALID",
            "zero units",
        ),
        (
            json!({ "lines": [{ "orderLineId": line, "quantity": 2 }] }),
            "INVALID",
            "more units than ordered",
        ),
        (
            json!({ "lines": [{ "orderLineId": uuid::Uuid::now_v7().to_string(), "quantity": 1 }] }),
            "NOT_FOUND",
            "another line",
        ),
        (
            json!({ "amount": "1.00", "reason": "x".repeat(1001) }),
            "INVALID",
            "reason too long",
        ),
        (
            json!({ "lines": (0..2).map(|_| json!({ "orderLineId": uuid::Uuid::now_v7().to_string(), "quantity": 1 })).collect::<Vec<_>>() }),
            "INVALID",
            "more lines than the order has",
        ),
    ];
    for (input, code, why) in cases {
        let refused = shop.refund(order, input, why).await?;
        assert_eq!(user_error_code(&refused), code, "{why}: {refused}");
        assert!(refused["refund"].is_null(), "{why}");
    }
    let no_key = shop.refund(order, json!({ "amount": "1.00" }), " ").await?;
    assert_eq!(user_error_code(&no_key), "INVALID");
    // A manual order waiting for payment has nothing captured to refund.
    let manual_cart = shop.ready_cart(&[(0, 1)]).await?;
    let manual = order_id(placed(
        &shop
            .checkout(&shop.guest, manual_cart, "k", Value::Null)
            .await?,
    ));
    let nothing = shop
        .refund(manual, json!({ "amount": "1.00" }), "m")
        .await?;
    assert_eq!(user_error_code(&nothing), "ILLEGAL_TRANSITION", "{nothing}");
    // Customers cannot refund, not even their own orders.
    let customer = shop.server.customer("mallory@example.com").await?;
    let forbidden = shop
        .refund_as(&customer, order, json!({ "amount": "1.00" }), "c")
        .await?;
    assert_eq!(
        forbidden.error_code(),
        Some("FORBIDDEN"),
        "{}",
        forbidden.body
    );

    let after = shop.money_of(order).await?;
    assert_eq!(after["refunds"], json!([]));
    assert_eq!(after["payments"][0]["refundedAmount"]["amount"], "0.00");
    assert_eq!(after["lines"][0]["refundedQuantity"], 0);
    assert_eq!(after["paymentStatus"], "PAID");
    shop.server.stop().await
}
e2e!(bad_refund_requests_are_refused_and_change_nothing);

/// Money changes reach the order's history, `orderUpdated` and the outbox under the topics
/// outgoing webhooks will deliver (ORDER_PAID, ORDER_REFUNDED).
async fn money_changes_are_published_under_their_topics(backend: Backend) -> anyhow::Result<()> {
    let shop = shop(backend).await?;
    let order = shop.order_paid_with(&[(0, 1)], "tok_visa").await?;
    shop.refund(order, json!({ "amount": "5.00" }), "a").await?;
    let count = |topic: &'static str| {
        outbox::Entity::find()
            .filter(outbox::Column::AggregateId.eq(order.uuid()))
            .filter(outbox::Column::Topic.eq(topic))
            .count(&shop.db)
    };
    assert_eq!(count("ORDER_CREATED").await?, 1);
    assert_eq!(count("ORDER_PAID").await?, 1);
    assert_eq!(count("ORDER_REFUNDED").await?, 1);
    let event = outbox::Entity::find()
        .filter(outbox::Column::AggregateId.eq(order.uuid()))
        .filter(outbox::Column::Topic.eq("ORDER_REFUNDED"))
        .one(&shop.db)
        .await?
        .unwrap();
    assert_eq!(
        event.payload["data"]["payment_status"], "PARTIALLY_REFUNDED",
        "{}",
        event.payload
    );
    shop.server.stop().await
}
e2e!(money_changes_are_published_under_their_topics);
