//! Reminders (issue 17): back-in-stock subscriptions raise BACK_IN_STOCK once per subscriber
//! when the variant comes back; carts left with an email and lines raise CART_ABANDONED once.
//! What the events then send (webhooks, email) is tested with those.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::carts::Shop;
use e2e::{Backend, Client, e2e};
use entities::{cart, outbox};
use schema::carts::service::abandoned;
use schema::events::DomainEvent;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

const SUBSCRIBE: &str = "mutation($variant: ID!, $email: String) { backInStockSubscribe(variantId: $variant, email: $email) { subscribed userErrors { field code message } } }";

impl Shop {
    async fn subscribe(
        &self,
        viewer: &Client,
        item: usize,
        email: Option<&str>,
    ) -> anyhow::Result<Value> {
        let variables = json!({ "variant": self.items[item].variant.to_string(), "email": email });
        viewer.mutate(SUBSCRIBE, variables).await
    }

    /// The BACK_IN_STOCK events raised so far for item `index`, by email (sorted).
    async fn back_in_stock_notices(&self, item: usize) -> anyhow::Result<Vec<String>> {
        self.server.outbox_drained().await?;
        let rows = outbox::Entity::find()
            .filter(outbox::Column::Topic.eq("BACK_IN_STOCK"))
            .filter(outbox::Column::AggregateId.eq(self.items[item].variant.uuid()))
            .all(&self.db)
            .await?;
        let mut emails: Vec<String> = rows
            .into_iter()
            .map(
                |row| match serde_json::from_value::<DomainEvent>(row.payload) {
                    Ok(DomainEvent::BackInStock(notice)) => notice.email,
                    other => panic!("not a back-in-stock notice: {other:?}"),
                },
            )
            .collect();
        emails.sort();
        Ok(emails)
    }
}

fn refused(payload: &Value) -> (&str, &str) {
    (
        payload["userErrors"][0]["code"].as_str().unwrap_or("none"),
        payload["userErrors"][0]["field"][0]
            .as_str()
            .unwrap_or("none"),
    )
}

async fn a_restock_from_zero_tells_each_subscriber_once(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000, 2000], |_| {}).await?;
    let alice = shop.server.customer("alice@example.com").await?;

    // In stock: nothing to wait for.
    let in_stock = shop
        .subscribe(&shop.guest, 0, Some("bob@example.com"))
        .await?;
    assert_eq!(refused(&in_stock), ("INVALID", "variantId"), "{in_stock}");

    shop.set_stock(0, 0).await?;
    let guest = shop
        .subscribe(&shop.guest, 0, Some(" Bob@Example.com "))
        .await?;
    assert_eq!(guest, json!({ "subscribed": true, "userErrors": [] }));
    // Asking again while waiting is fine and changes nothing; the customer's own address is
    // used when they give none.
    let again = shop
        .subscribe(&shop.guest, 0, Some("bob@example.com"))
        .await?;
    assert_eq!(again["subscribed"], true);
    let own = shop.subscribe(&alice, 0, None).await?;
    assert_eq!(own["subscribed"], true, "{own}");
    // Another variant's restock tells nobody waiting for this one.
    shop.set_stock(1, 0).await?;
    shop.set_stock(1, 3).await?;
    assert_eq!(shop.back_in_stock_notices(0).await?, Vec::<String>::new());

    shop.set_stock(0, 4).await?;
    assert_eq!(
        shop.back_in_stock_notices(0).await?,
        ["alice@example.com", "bob@example.com"]
    );
    let notice = outbox::Entity::find()
        .filter(outbox::Column::Topic.eq("BACK_IN_STOCK"))
        .one(&shop.db)
        .await?
        .expect("a notice");
    let DomainEvent::BackInStock(notice) = serde_json::from_value(notice.payload)? else {
        panic!("not a notice");
    };
    assert_eq!((notice.available, notice.sku.as_str()), (4, "ITEM-0"));

    // Sold out and back again: the subscriptions are done, nobody is told twice.
    shop.set_stock(0, 0).await?;
    shop.set_stock(0, 6).await?;
    assert_eq!(shop.back_in_stock_notices(0).await?.len(), 2);
    shop.server.stop().await
}
e2e!(a_restock_from_zero_tells_each_subscriber_once);

async fn bad_subscriptions_are_refused_and_limited(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |config| {
        config.reminders.back_in_stock_subscriptions_per_hour = 3;
    })
    .await?;
    shop.set_stock(0, 0).await?;
    let no_email = shop.subscribe(&shop.guest, 0, None).await?;
    assert_eq!(refused(&no_email), ("INVALID", "email"));
    let bad_email = shop.subscribe(&shop.guest, 0, Some("not an email")).await?;
    assert_eq!(refused(&bad_email), ("INVALID", "email"));
    let unknown = shop
        .guest
        .mutate(
            SUBSCRIBE,
            json!({ "variant": Uuid::now_v7().to_string(), "email": "x@example.com" }),
        )
        .await?;
    assert_eq!(refused(&unknown), ("NOT_FOUND", "variantId"));
    // The fourth request of the hour is refused before anything is looked up.
    let limited = shop
        .guest
        .graphql(
            SUBSCRIBE,
            json!({ "variant": shop.items[0].variant.to_string(), "email": "y@example.com" }),
        )
        .await?;
    assert_eq!(
        limited.error_code(),
        Some("RATE_LIMITED"),
        "{}",
        limited.body
    );
    shop.set_stock(0, 2).await?;
    assert_eq!(shop.back_in_stock_notices(0).await?, Vec::<String>::new());
    shop.server.stop().await
}
e2e!(bad_subscriptions_are_refused_and_limited);

/// Runs the sweep as if `hours_later` had passed (the server's own sweep runs every few
/// minutes; driving it here keeps the test exact).
async fn sweep_later(shop: &Shop, hours_later: i64) -> anyhow::Result<usize> {
    let now = chrono::Utc::now() + chrono::Duration::hours(hours_later);
    Ok(abandoned::sweep(
        &shop.server.app.app.writer(),
        Duration::from_secs(24 * 3600),
        now,
    )
    .await?)
}

async fn abandoned(shop: &Shop) -> anyhow::Result<Vec<Uuid>> {
    shop.server.outbox_drained().await?;
    let rows = outbox::Entity::find()
        .filter(outbox::Column::Topic.eq("CART_ABANDONED"))
        .all(&shop.db)
        .await?;
    Ok(rows.into_iter().map(|row| row.aggregate_id).collect())
}

async fn a_cart_left_with_an_email_and_lines_is_reported_once(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    // Ready (email and lines), without an email, empty with an email, and checked out.
    let left = shop
        .cart_of(&shop.guest, &[(0, 2)])
        .ready()
        .create()
        .await?;
    let anonymous = shop.cart_with(&[(0, 1)]).await?;
    let empty = shop.guest.cart().ready().create().await?;
    let bought = shop
        .cart_of(&shop.guest, &[(0, 1)])
        .ready()
        .create()
        .await?;
    let checkout = "mutation($cart: ID!) { checkoutComplete(cartId: $cart, idempotencyKey: \"k\") { userErrors { code } } }";
    shop.guest
        .mutate_ok(checkout, json!({ "cart": bought.to_string() }))
        .await?;

    // Not yet: a day has not passed.
    assert_eq!(sweep_later(&shop, 23).await?, 0);
    assert_eq!(sweep_later(&shop, 25).await?, 1);
    assert_eq!(abandoned(&shop).await?, [left.uuid()]);
    let event = outbox::Entity::find()
        .filter(outbox::Column::Topic.eq("CART_ABANDONED"))
        .one(&shop.db)
        .await?
        .expect("the event");
    let DomainEvent::CartAbandoned(report) = serde_json::from_value(event.payload)? else {
        panic!("not an abandoned cart");
    };
    assert_eq!(report.email, e2e::BUYER_EMAIL);
    assert_eq!(report.total_quantity, 2);

    // Once: another sweep, a change to the cart and another day later, nothing more.
    assert_eq!(sweep_later(&shop, 26).await?, 0);
    shop.add(&shop.guest, left, shop.lines(&[(0, 1)])).await?;
    assert_eq!(sweep_later(&shop, 50).await?, 0);
    assert_eq!(abandoned(&shop).await?, [left.uuid()]);
    let marked = cart::Entity::find_by_id(left.uuid())
        .one(&shop.db)
        .await?
        .unwrap();
    assert!(marked.abandoned_at.is_some());
    for never in [anonymous, empty] {
        let row = cart::Entity::find_by_id(never.uuid())
            .one(&shop.db)
            .await?
            .unwrap();
        assert_eq!(row.abandoned_at, None);
    }
    assert_eq!(
        outbox::Entity::find()
            .filter(outbox::Column::Topic.eq("CART_ABANDONED"))
            .count(&shop.db)
            .await?,
        1
    );
    shop.server.stop().await
}
e2e!(a_cart_left_with_an_email_and_lines_is_reported_once);
