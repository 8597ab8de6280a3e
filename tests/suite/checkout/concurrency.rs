//! Checkouts racing each other: never oversell, never overuse a code, one order per key.

use super::*;
use entities::enums::DiscountKind;
use entities::{discount, order};
use sea_orm::{ActiveModelTrait, PaginatorTrait, Set};
use std::sync::Arc;

async fn concurrent_checkouts_never_oversell(backend: Backend) -> anyhow::Result<()> {
    // 100 checkouts at once queue for SQLite's single writer; on a busy machine the last ones
    // would wait longer than the pool's default 2 s and get SERVICE_UNAVAILABLE, which is the
    // pool doing its job, not what this test is about.
    let shop = Arc::new(
        Shop::open(backend, &[1000], |config| {
            config.database.database_acquire_timeout_ms = 30_000;
        })
        .await?,
    );
    let mut carts = Vec::new();
    for _ in 0..100 {
        carts.push(shop.ready_cart(&[(0, 1)]).await?);
    }
    // Only 7 units left by the time they all check out at once.
    shop.set_stock(0, 7).await?;
    let attempts = carts.into_iter().map(|cart| {
        let shop = shop.clone();
        tokio::spawn(async move { shop.checkout(&shop.guest, &cart, "once", Value::Null).await })
    });
    let mut placed_orders = 0;
    let mut out_of_stock = 0;
    for attempt in futures_util::future::join_all(attempts).await {
        let response = attempt??;
        let payload = &response.data()["checkoutComplete"];
        if payload["order"].is_object() {
            placed_orders += 1;
        } else {
            assert_eq!(
                payload["userErrors"][0]["code"], "OUT_OF_STOCK",
                "{payload}"
            );
            out_of_stock += 1;
        }
    }
    assert_eq!((placed_orders, out_of_stock), (7, 93));
    assert_eq!(
        shop.stock_of(0).await?,
        (7, 7),
        "every unit allocated once, none twice"
    );
    assert_eq!(order::Entity::find().count(&shop.db).await?, 7);
    Ok(())
}
e2e!(concurrent_checkouts_never_oversell);

async fn a_limited_code_is_used_exactly_as_often_as_allowed(
    backend: Backend,
) -> anyhow::Result<()> {
    // 50 carts apply a code from one address: more than a client's default code budget.
    let shop = Arc::new(
        Shop::open(backend, &[1000], |config| {
            config.commerce.discount_code_attempts_per_client = 0;
        })
        .await?,
    );
    let mut limited = shop
        .discount("FIVE", DiscountKind::Percentage, 2000)
        .await?;
    limited.usage_limit = Set(Some(5));
    let limited = limited.insert(&shop.db).await?;
    let mut carts = Vec::new();
    for _ in 0..50 {
        let cart = shop.ready_cart(&[(0, 1)]).await?;
        accepted(
            &shop.codes(&cart, &["FIVE"]).await?,
            "cartDiscountCodesUpdate",
        );
        carts.push(cart);
    }
    shop.set_stock(0, 100).await?;
    let attempts = carts.into_iter().map(|cart| {
        let shop = shop.clone();
        tokio::spawn(async move { shop.checkout(&shop.guest, &cart, "k", Value::Null).await })
    });
    let mut discounted = 0;
    for attempt in futures_util::future::join_all(attempts).await {
        let response = attempt??;
        let payload = &response.data()["checkoutComplete"];
        if payload["order"]["discountCode"] == "FIVE" {
            discounted += 1;
        } else {
            assert_eq!(
                payload["userErrors"][0]["code"], "DISCOUNT_INVALID",
                "{payload}"
            );
        }
    }
    assert_eq!(discounted, 5);
    let used = discount::Entity::find_by_id(limited.id)
        .one(&shop.db)
        .await?
        .unwrap();
    assert_eq!(used.usage_count, 5);
    Ok(())
}
e2e!(a_limited_code_is_used_exactly_as_often_as_allowed);

async fn concurrent_retries_with_one_key_make_one_order(backend: Backend) -> anyhow::Result<()> {
    let shop = Arc::new(Shop::open(backend, &[1000], |_| {}).await?);
    let cart = shop.ready_cart(&[(0, 2)]).await?;
    let attempts = (0..20).map(|_| {
        let shop = shop.clone();
        tokio::spawn(async move {
            shop.checkout(&shop.guest, &cart, "retry-me", Value::Null)
                .await
        })
    });
    let mut ids = std::collections::HashSet::new();
    for attempt in futures_util::future::join_all(attempts).await {
        let response = attempt??;
        ids.insert(placed(&response)["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1, "every retry got the same order");
    assert_eq!(order::Entity::find().count(&shop.db).await?, 1);
    assert_eq!(shop.stock_of(0).await?, (10, 2));
    Ok(())
}
e2e!(concurrent_retries_with_one_key_make_one_order);
