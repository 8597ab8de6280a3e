//! Marketing mail (back in stock, abandoned cart): sent to whoever asked, with a signed
//! unsubscribe link; once used, those mails skip the address, order mail does not.
//!
//! The code that raises BACK_IN_STOCK and CART_ABANDONED lives elsewhere; here the events are
//! recorded on a unit of work directly, as that code does.

use super::*;
use chrono::Utc;
use schema::carts::events::CartAbandonment;
use schema::events::DomainEvent;
use schema::inventory::events::BackInStockNotice;
use uuid::Uuid;

const UNSUBSCRIBE: &str = "mutation($token: String!) { emailUnsubscribe(token: $token) { email userErrors { field code message } } }";

impl Shop {
    /// Records `event` as its owner would: on a unit of work, published by the relay.
    async fn raise(&self, event: DomainEvent) -> anyhow::Result<()> {
        let mut write = self.server.app.app.writer().begin().await?;
        write.record(event);
        write.commit().await?;
        Ok(())
    }

    fn back_in_stock(&self, email: &str) -> DomainEvent {
        DomainEvent::BackInStock(BackInStockNotice {
            event_id: Uuid::now_v7(),
            subscription_id: Uuid::now_v7(),
            variant_uuid: self.items[0].variant.uuid(),
            product_uuid: self.items[0].product.uuid(),
            sku: "ITEM-0".to_owned(),
            email: email.to_owned(),
            available: 3,
            occurred_at: Utc::now(),
        })
    }

    fn abandoned(&self, cart: CartId, email: &str) -> DomainEvent {
        DomainEvent::CartAbandoned(CartAbandonment {
            event_id: Uuid::now_v7(),
            cart_id: cart.uuid(),
            customer_id: None,
            email: email.to_owned(),
            currency_code: "USD".to_owned(),
            total_quantity: 2,
            last_changed_at: Utc::now(),
            occurred_at: Utc::now(),
        })
    }
}

async fn unsubscribing_stops_marketing_mail_but_not_order_mail(
    backend: Backend,
) -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let shop = Shop::mailing(backend, &[1000], Some(smtp.url()), |_| {}).await?;
    let bob = "Bob@Example.com";

    shop.raise(shop.back_in_stock(bob)).await?;
    let cart = shop
        .cart_of(&shop.guest, &[(0, 2)])
        .ready()
        .create()
        .await?;
    shop.raise(shop.abandoned(cart, bob)).await?;
    shop.mail_settled().await?;
    let mails = smtp.received()?;
    assert_eq!(mails.len(), 2, "{mails:?}");
    let back = with_subject(&mails, "back in stock")[0];
    assert_eq!(back.subject, "Item 0 is back in stock");
    assert_eq!(back.rcpt_to.to_lowercase(), "bob@example.com");
    assert!(
        back.link(&format!("{STOREFRONT}/products/")).is_some(),
        "{}",
        back.text
    );
    let reminder = with_subject(&mails, "left something")[0];
    assert_eq!(reminder.subject, "You left something in your cart");
    assert_eq!(
        reminder.link(&format!("{STOREFRONT}/cart/")),
        Some(format!("{STOREFRONT}/cart/{cart}"))
    );
    assert!(reminder.text.contains("2 × Item 0"), "{}", reminder.text);

    // The link's token, and no other, unsubscribes the address.
    let link = back
        .link(&format!("{STOREFRONT}/unsubscribe?token="))
        .expect("an unsubscribe link");
    let token = link.split_once("token=").unwrap().1.to_owned();
    assert_eq!(
        reminder.link(&format!("{STOREFRONT}/unsubscribe?token=")),
        Some(link.clone())
    );
    let forged = format!("{}x", &token[..token.len() - 1]);
    let refused = shop
        .guest
        .mutate(UNSUBSCRIBE, json!({ "token": forged }))
        .await?;
    assert_eq!(
        refused["userErrors"][0]["code"], "INVALID_TOKEN",
        "{refused}"
    );
    let done = shop
        .guest
        .mutate(UNSUBSCRIBE, json!({ "token": token }))
        .await?;
    assert_eq!(done["userErrors"], json!([]), "{done}");
    assert_eq!(done["email"], "bob@example.com");
    let again = shop
        .guest
        .mutate(UNSUBSCRIBE, json!({ "token": token }))
        .await?;
    assert_eq!(again["userErrors"], json!([]), "{again}");

    // No more marketing mail to Bob; others still get theirs, and Bob his order mail.
    shop.raise(shop.back_in_stock("bob@example.com")).await?;
    shop.raise(shop.abandoned(cart, bob)).await?;
    shop.raise(shop.back_in_stock("carol@example.com")).await?;
    let bobs_cart = shop
        .cart_of(&shop.guest, &[(0, 1)])
        .buyer(json!({
            "email": "bob@example.com",
            "shippingAddress": { "address1": "1 Main St", "city": "Springfield", "zip": "12345", "countryCode": "US" }
        }))
        .create()
        .await?;
    let order = shop.place_cart(&shop.guest, bobs_cart).await?;
    shop.mail_settled().await?;
    let mails = smtp.received()?;
    let mut to: Vec<(&str, &str)> = mails
        .iter()
        .map(|m| (m.subject.as_str(), m.rcpt_to.as_str()))
        .collect();
    to.sort();
    let confirmation = format!("Order #{} confirmed", order.number);
    let mut expected = vec![
        ("Item 0 is back in stock", "Bob@Example.com"),
        ("Item 0 is back in stock", "carol@example.com"),
        (confirmation.as_str(), "bob@example.com"),
        ("You left something in your cart", "Bob@Example.com"),
    ];
    expected.sort();
    assert_eq!(to, expected, "nothing more for Bob but his order");
    shop.server.stop().await
}
e2e!(unsubscribing_stops_marketing_mail_but_not_order_mail);

async fn a_reminder_for_a_cart_that_became_an_order_is_not_sent(
    backend: Backend,
) -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let shop = Shop::mailing(backend, &[1000], Some(smtp.url()), |_| {}).await?;
    let cart = shop
        .cart_of(&shop.guest, &[(0, 1)])
        .ready()
        .create()
        .await?;
    let order = shop.place_cart(&shop.guest, cart).await?;
    shop.raise(shop.abandoned(cart, BUYER_EMAIL)).await?;
    shop.mail_settled().await?;
    let mails = smtp.received()?;
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(subjects, [format!("Order #{} confirmed", order.number)]);
    let jobs = shop.mail_jobs().await?;
    let reminder = jobs
        .iter()
        .find(|j| j.template == "abandoned_cart")
        .unwrap();
    assert_eq!(reminder.status, MailJobStatus::Skipped);
    shop.server.stop().await
}
e2e!(a_reminder_for_a_cart_that_became_an_order_is_not_sent);

/// The whole way, without raising events by hand: subscribers waiting for a sold-out variant
/// get one mail each when staff restock it, and none when it sells out and comes back again;
/// a cart left for a day gets one reminder.
async fn a_restock_mails_each_subscriber_once_and_a_left_cart_is_reminded_once(
    backend: Backend,
) -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let shop = Shop::mailing(backend, &[1000], Some(smtp.url()), |_| {}).await?;
    let variant = shop.items[0].variant;
    shop.admin.set_stock(variant, shop.warehouse, 0).await?;
    let notify = "mutation($variant: ID!, $email: String) { backInStockSubscribe(variantId: $variant, email: $email) { subscribed userErrors { code } } }";
    for email in ["dan@example.com", "eve@example.com"] {
        let variables = json!({ "variant": variant.to_string(), "email": email });
        shop.guest.mutate_ok(notify, variables).await?;
    }
    shop.admin.set_stock(variant, shop.warehouse, 5).await?;
    shop.server.outbox_drained().await?;
    shop.mail_settled().await?;
    let mut to: Vec<String> = smtp
        .received()?
        .iter()
        .filter(|m| m.subject == "Item 0 is back in stock")
        .map(|m| m.rcpt_to.clone())
        .collect();
    to.sort();
    assert_eq!(to, ["dan@example.com", "eve@example.com"]);

    for on_hand in [0, 8] {
        shop.admin
            .set_stock(variant, shop.warehouse, on_hand)
            .await?;
    }
    let cart = shop
        .cart_of(&shop.guest, &[(0, 1)])
        .ready()
        .create()
        .await?;
    let later = Utc::now() + chrono::Duration::hours(25);
    let day = std::time::Duration::from_secs(24 * 3600);
    let writer = shop.server.app.app.writer();
    schema::carts::service::abandoned::sweep(&writer, day, later).await?;
    schema::carts::service::abandoned::sweep(&writer, day, later).await?;
    shop.server.outbox_drained().await?;
    shop.mail_settled().await?;
    let mails = smtp.received()?;
    assert_eq!(
        with_subject(&mails, "back in stock").len(),
        2,
        "no second notice"
    );
    let reminders = with_subject(&mails, "left something");
    assert_eq!(reminders.len(), 1, "{mails:?}");
    assert_eq!(
        reminders[0].link(&format!("{STOREFRONT}/cart/")),
        Some(format!("{STOREFRONT}/cart/{cart}"))
    );
    shop.server.stop().await
}
e2e!(a_restock_mails_each_subscriber_once_and_a_left_cart_is_reminded_once);
