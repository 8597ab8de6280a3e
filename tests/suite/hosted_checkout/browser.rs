//! The hosted checkout in a real browser (headless Chromium, JavaScript on): fill the forms,
//! place the order, land on the status page, and see it change live when staff mark the
//! order paid.

use super::*;
use e2e::OrderAction::MarkPaid;
use e2e::{Backend, BrowserScript, OrderId, e2e};
use entities::order;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::time::Duration;

async fn a_browser_checks_out_and_sees_the_order_paid_live(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1500], |_| {}).await?;
    let cart = shop.cart_with(&[(0, 1)]).await?;
    let url = shop.checkout_url(cart).await?;
    let subscribers = shop.server.event_subscribers().await?;
    let Some(mut browser) =
        BrowserScript::start("hosted-checkout.mjs", &[&url, "manual", "Paid"]).await?
    else {
        return Ok(());
    };
    let placed = browser.next_json(Duration::from_secs(90)).await?;
    let placed = placed
        .get("placed")
        .unwrap_or_else(|| panic!("the browser did not get to the order: {placed}"));
    assert_eq!(placed["lang"], "en");
    assert!(
        placed["saved"].as_str().unwrap().contains("were saved"),
        "{placed}"
    );
    assert_eq!(placed["paymentStatus"], "Pending");
    let order = order::Entity::find()
        .filter(order::Column::CartId.eq(cart.uuid()))
        .one(&shop.db)
        .await?
        .expect("the browser placed an order");
    assert_eq!(placed["number"], order.number.to_string());
    assert_eq!(placed["path"], format!("/orders/{}", order.number));
    assert_eq!(order.email, "browser@example.com");

    // The page's script has subscribed (it says so); once the server has its subscription,
    // staff mark the order paid and the page shows it without a reload.
    shop.server.until_subscribers(subscribers + 1).await?;
    shop.admin
        .order_action(MarkPaid, OrderId::of(&json!(order.id.to_string())))
        .await?;
    let updated = browser.next_json(Duration::from_secs(30)).await?;
    let updated = updated
        .get("updated")
        .unwrap_or_else(|| panic!("the page did not update: {updated}"));
    assert_eq!(updated["paymentStatus"], "Paid");
    assert_eq!(updated["status"], "Paid");
    assert_eq!(updated["problems"], json!([]), "console errors (CSP?)");
    Ok(())
}
e2e!(a_browser_checks_out_and_sees_the_order_paid_live);
