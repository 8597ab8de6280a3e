//! The reminders' topics reach webhooks: BACK_IN_STOCK once per subscriber however often the
//! variant comes back, CART_ABANDONED once per cart, CUSTOMER_CREATED on registration.

use super::*;
use entities::webhook_delivery;
use schema::carts::service::abandoned;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

async fn deliveries_of(shop: &Shop, topic: &str) -> anyhow::Result<u64> {
    // Deliveries are queued in the transaction that publishes their event.
    shop.server.outbox_drained().await?;
    Ok(webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Topic.eq(topic))
        .count(&shop.db)
        .await?)
}

async fn reminders_reach_webhooks_once(backend: Backend) -> anyhow::Result<()> {
    let shop = shop(backend, 50, |_| {}).await?;
    let receiver = WebhookReceiver::start().await?;
    let topics = ["BACK_IN_STOCK", "CART_ABANDONED", "CUSTOMER_CREATED"];
    subscribe(&shop.admin, &receiver.url(), &topics).await?;

    shop.admin
        .set_stock(shop.items[0].variant, shop.warehouse, 0)
        .await?;
    let notify = "mutation($variant: ID!, $email: String) { backInStockSubscribe(variantId: $variant, email: $email) { subscribed userErrors { code } } }";
    for email in ["one@example.com", "two@example.com"] {
        let variables = json!({ "variant": shop.items[0].variant.to_string(), "email": email });
        shop.guest.mutate_ok(notify, variables).await?;
    }
    shop.admin
        .set_stock(shop.items[0].variant, shop.warehouse, 5)
        .await?;
    let back = receiver
        .until(Duration::from_secs(20), "two BACK_IN_STOCK messages", |r| {
            r.iter()
                .filter(|r| r.accepted() && r.json()["topic"] == "BACK_IN_STOCK")
                .count()
                == 2
        })
        .await?;
    let mut emails: Vec<String> = back
        .iter()
        .filter(|r| r.accepted() && r.json()["topic"] == "BACK_IN_STOCK")
        .map(|r| r.json()["data"]["email"].as_str().unwrap().to_owned())
        .collect();
    emails.sort();
    assert_eq!(emails, ["one@example.com", "two@example.com"]);
    let data = &back[0].json()["data"];
    assert_eq!(
        (data["sku"].clone(), data["available"].clone()),
        (json!("ITEM-0"), json!(5))
    );
    assert!(data["productSlug"].as_str().is_some(), "{data}");

    // Out and back again: nobody is waiting any more.
    for on_hand in [0, 7] {
        shop.admin
            .set_stock(shop.items[0].variant, shop.warehouse, on_hand)
            .await?;
    }
    assert_eq!(deliveries_of(&shop, "BACK_IN_STOCK").await?, 2);

    // A cart left with an email and lines, reported by the sweep a day later, once.
    let cart = shop
        .cart_of(&shop.guest, &[(0, 2)])
        .ready()
        .create()
        .await?;
    let later = chrono::Utc::now() + chrono::Duration::hours(25);
    let day = std::time::Duration::from_secs(24 * 3600);
    let writer = shop.server.app.app.writer();
    assert_eq!(abandoned::sweep(&writer, day, later).await?, 1);
    assert_eq!(abandoned::sweep(&writer, day, later).await?, 0);
    let left = receiver
        .until(Duration::from_secs(20), "a CART_ABANDONED message", |r| {
            r.iter()
                .any(|r| r.accepted() && r.json()["topic"] == "CART_ABANDONED")
        })
        .await?;
    let left = left
        .iter()
        .find(|r| r.json()["topic"] == "CART_ABANDONED")
        .unwrap()
        .json();
    assert_eq!(left["data"]["id"], json!(cart.to_string()));
    assert_eq!(left["data"]["totalQuantity"], 2);
    assert_eq!(deliveries_of(&shop, "CART_ABANDONED").await?, 1);

    // Registration.
    shop.server.customer("new@example.com").await?;
    let created = receiver
        .until(Duration::from_secs(20), "a CUSTOMER_CREATED message", |r| {
            r.iter()
                .any(|r| r.accepted() && r.json()["topic"] == "CUSTOMER_CREATED")
        })
        .await?;
    let created = created
        .iter()
        .find(|r| r.json()["topic"] == "CUSTOMER_CREATED")
        .unwrap()
        .json();
    assert_eq!(created["data"]["email"], "new@example.com");
    shop.server.stop().await
}
e2e!(reminders_reach_webhooks_once);
