//! Orders record every discount they used, and each way of undoing an order gives each
//! use back exactly once: a decline at checkout or by webhook, staff cancelling, refunding
//! before shipping.

use super::webhooks::{SECRET, post, signature};
use super::*;
use e2e::OrderAction::{Cancel, Fulfill, MarkPaid, Refund};
use entities::enums::DiscountKind;
use entities::{discount, order_discount};
use sea_orm::{ActiveModelTrait, Set};

/// Creates discount `code` with a usage limit.
async fn limited(shop: &Shop, code: &str, kind: DiscountKind, value: i64, limit: i32) {
    let mut discount = shop.discount(code, kind, value).await.unwrap();
    discount.usage_limit = Set(Some(limit));
    discount.insert(&shop.db).await.unwrap();
}

/// How many uses of `code` are counted.
async fn uses(shop: &Shop, code: &str) -> anyhow::Result<i32> {
    Ok(discount::Entity::find()
        .filter(discount::Column::Code.eq(code))
        .one(&shop.db)
        .await?
        .unwrap()
        .usage_count)
}

/// A ready guest cart for one unit of the first item with `codes` applied.
async fn cart_using(shop: &Shop, codes: &[&str]) -> anyhow::Result<CartId> {
    shop.cart_of(&shop.guest, &[(0, 1)])
        .ready()
        .codes(codes)
        .create()
        .await
}

async fn a_decline_by_webhook_gives_the_code_back(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[2000], |config| {
        config.commerce.payment_webhook_secret = Some(SECRET.to_owned());
    })
    .await?;
    limited(&shop, "ONCE", DiscountKind::Percentage, 1000, 1).await;
    let pending = json!({ "provider": "test", "token": "tok_pending" });
    let cart = cart_using(&shop, &["ONCE"]).await?;
    let order = placed(
        &shop
            .checkout(&shop.guest, &cart, "k", pending.clone())
            .await?,
    )
    .clone();
    assert_eq!(order["discountCode"], "ONCE");
    assert_eq!(uses(&shop, "ONCE").await?, 1);

    let failed = json!({ "id": "evt_decline", "type": "payment.failed", "orderId": order["id"], "reason": "insufficient funds" }).to_string();
    let now = chrono::Utc::now().timestamp();
    let (status, _) = post(&shop, "test", &failed, &signature(SECRET, &failed, now)).await?;
    assert_eq!(status, 200);
    assert_eq!(
        uses(&shop, "ONCE").await?,
        0,
        "the decline gave the use back"
    );

    // The code works again: another shopper checks out with it.
    let again = cart_using(&shop, &["ONCE"]).await?;
    let second = placed(&shop.checkout(&shop.guest, &again, "k", Value::Null).await?).clone();
    assert_eq!(second["discountCode"], "ONCE");
    assert_eq!(amount(&second["discountTotal"]), "2.00");
    assert_eq!(uses(&shop, "ONCE").await?, 1);

    // The provider delivers the decline again, and staff try to cancel the declined order:
    // neither gives the use back a second time.
    let (status, _) = post(&shop, "test", &failed, &signature(SECRET, &failed, now)).await?;
    assert_eq!(status, 200);
    let cancel = shop.admin.order_action(Cancel, order_id(&order)).await?;
    assert_eq!(cancel["userErrors"][0]["code"], "ILLEGAL_TRANSITION");
    assert_eq!(uses(&shop, "ONCE").await?, 1);
    shop.server.stop().await
}
e2e!(a_decline_by_webhook_gives_the_code_back);

async fn staff_cancelling_gives_every_discount_back(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[2000], |_| {}).await?;
    limited(&shop, "FIVE", DiscountKind::FixedAmount, 500, 1).await;
    limited(&shop, "SHIP", DiscountKind::FreeShipping, 0, 1).await;
    let admin = &shop.admin;
    let cart = cart_using(&shop, &["FIVE", "SHIP"]).await?;
    let order = placed(&shop.checkout(&shop.guest, &cart, "k", Value::Null).await?).clone();
    assert_eq!(amount(&order["discountTotal"]), "5.00");
    assert_eq!(amount(&order["shippingTotal"]), "0.00");
    assert_eq!(
        (uses(&shop, "FIVE").await?, uses(&shop, "SHIP").await?),
        (1, 1)
    );

    // Both are recorded with what they took off: 5.00, and the 5.00 shipping 15.00 owed.
    let placed_id = order_id(&order);
    let mut recorded: Vec<(String, i64)> = order_discount::Entity::find()
        .filter(order_discount::Column::OrderId.eq(placed_id.uuid()))
        .all(&shop.db)
        .await?
        .into_iter()
        .map(|d| (d.code, d.amount))
        .collect();
    recorded.sort();
    assert_eq!(
        recorded,
        vec![("FIVE".to_owned(), 500), ("SHIP".to_owned(), 500)]
    );

    let cancelled = admin.order_action(Cancel, placed_id).await?;
    assert_eq!(cancelled["order"]["status"], "CANCELLED");
    assert_eq!(
        (uses(&shop, "FIVE").await?, uses(&shop, "SHIP").await?),
        (0, 0)
    );
    let again = admin.order_action(Cancel, placed_id).await?;
    assert_eq!(again["userErrors"][0]["code"], "ILLEGAL_TRANSITION");
    assert_eq!(
        (uses(&shop, "FIVE").await?, uses(&shop, "SHIP").await?),
        (0, 0)
    );

    // Refunding a paid order before it ships undoes the purchase too; after shipping the
    // discounts stay used.
    let cart = cart_using(&shop, &["FIVE", "SHIP"]).await?;
    let unshipped = order_id(placed(
        &shop.checkout(&shop.guest, cart, "k", Value::Null).await?,
    ));
    admin.order_action(MarkPaid, unshipped).await?;
    let refunded = admin.order_action(Refund, unshipped).await?;
    assert_eq!(refunded["order"]["status"], "REFUNDED");
    assert_eq!(
        (uses(&shop, "FIVE").await?, uses(&shop, "SHIP").await?),
        (0, 0)
    );
    let cart = cart_using(&shop, &["FIVE", "SHIP"]).await?;
    let shipped = order_id(placed(
        &shop.checkout(&shop.guest, cart, "k", Value::Null).await?,
    ));
    admin.order_action(MarkPaid, shipped).await?;
    admin.order_action(Fulfill, shipped).await?;
    let refunded = admin.order_action(Refund, shipped).await?;
    assert_eq!(refunded["order"]["status"], "REFUNDED");
    assert_eq!(
        (uses(&shop, "FIVE").await?, uses(&shop, "SHIP").await?),
        (1, 1)
    );
    shop.server.stop().await
}
e2e!(staff_cancelling_gives_every_discount_back);

async fn a_decline_at_checkout_gives_every_discount_back(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[2000], |_| {}).await?;
    limited(&shop, "FIVE", DiscountKind::FixedAmount, 500, 1).await;
    limited(&shop, "SHIP", DiscountKind::FreeShipping, 0, 1).await;
    let cart = cart_using(&shop, &["FIVE", "SHIP"]).await?;
    let declined = json!({ "provider": "test", "token": "tok_declined" });
    let response = shop.checkout(&shop.guest, &cart, "k", declined).await?;
    assert_eq!(checkout_errors(&response)[0]["code"], "PAYMENT_DECLINED");
    assert_eq!(
        (uses(&shop, "FIVE").await?, uses(&shop, "SHIP").await?),
        (0, 0)
    );
    // The reopened cart checks out with both codes.
    let paid = json!({ "provider": "test", "token": "tok_visa" });
    let order = placed(&shop.checkout(&shop.guest, &cart, "k2", paid).await?).clone();
    assert_eq!(order["status"], "PAID");
    assert_eq!(
        (uses(&shop, "FIVE").await?, uses(&shop, "SHIP").await?),
        (1, 1)
    );
    shop.server.stop().await
}
e2e!(a_decline_at_checkout_gives_every_discount_back);
