//! Email notifications (SPEC §9 "Email") end to end: the server sends to a real SMTP server
//! (aiosmtpd, `e2e::smtp`), and the tests read what arrived. Each notification is queued once
//! per event by the relay and sent outside any transaction, retried while the SMTP server is
//! down, and written to a Maildir under DATA_DIR when none is configured.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod delivery;
mod marketing;
mod orders;
mod processes;

use super::carts::Shop;
use e2e::smtp::{ReceivedMail, SmtpServer};
use e2e::{BUYER_EMAIL, Backend, CartId, Client, OrderId, e2e};
use entities::enums::MailJobStatus;
use entities::mail_job;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Where the mails' links point.
const STOREFRONT: &str = "https://shop.example";

const CHECKOUT: &str = "mutation($cart: ID!, $key: String!, $payment: PaymentInput) { checkoutComplete(cartId: $cart, idempotencyKey: $key, payment: $payment) { order { id number email } accessKey userErrors { field code message } } }";

/// A placed order as its buyer saw it.
struct Placed {
    id: OrderId,
    number: i64,
    /// The key checkout answered with.
    key: String,
}

impl Shop {
    /// A shop whose mail goes to `smtp_url` (none: the Maildir), links to `STOREFRONT`.
    async fn mailing(
        backend: Backend,
        prices: &[i64],
        smtp_url: Option<String>,
        configure: impl FnOnce(&mut shopgraph::config::Config),
    ) -> anyhow::Result<Self> {
        Shop::open(backend, prices, |config| {
            config.mail.smtp_url = smtp_url;
            config.mail.storefront_url = STOREFRONT.parse().unwrap();
            config.mail.mail_from = "Test Shop <orders@shop.example>".to_owned();
            configure(config);
        })
        .await
    }

    /// `buyer` checks out `lines` (manual payment: the order stays PLACED).
    async fn place(&self, buyer: &Client, lines: &[(usize, i32)]) -> anyhow::Result<Placed> {
        let cart = self.cart_of(buyer, lines).ready().create().await?;
        self.place_cart(buyer, cart).await
    }

    async fn place_cart(&self, buyer: &Client, cart: CartId) -> anyhow::Result<Placed> {
        let response = buyer
            .graphql(
                CHECKOUT,
                json!({ "cart": cart.to_string(), "key": "k", "payment": Value::Null }),
            )
            .await?;
        let payload = &response.data()["checkoutComplete"];
        assert_eq!(payload["userErrors"], json!([]), "{payload}");
        Ok(Placed {
            id: OrderId::of(&payload["order"]["id"]),
            number: payload["order"]["number"].as_i64().unwrap(),
            key: payload["accessKey"].as_str().unwrap_or_default().to_owned(),
        })
    }

    /// The mail jobs of this shop, oldest first.
    async fn mail_jobs(&self) -> anyhow::Result<Vec<mail_job::Model>> {
        Ok(mail_job::Entity::find()
            .order_by_asc(mail_job::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Waits until every event was relayed and no mail waits to be sent: what the server
    /// will send for the test's changes so far has been sent (or given up, or skipped).
    pub(crate) async fn mail_settled(&self) -> anyhow::Result<()> {
        self.server.outbox_drained().await?;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let pending = mail_job::Entity::find()
                .filter(mail_job::Column::Status.eq(MailJobStatus::Pending))
                .all(&self.db)
                .await?;
            if pending.is_empty() {
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "mail still pending after 15 s: {pending:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// `orderByAccessKey(key)`: the order's id, or null.
    async fn order_id_by_key(&self, key: &str) -> anyhow::Result<Value> {
        let response = self
            .guest
            .graphql(
                "query($key: String!) { orderByAccessKey(key: $key) { id } }",
                json!({ "key": key }),
            )
            .await?;
        Ok(response.data()["orderByAccessKey"]["id"].clone())
    }
}

/// The mails whose subject contains `part`.
fn with_subject<'a>(mails: &'a [ReceivedMail], part: &str) -> Vec<&'a ReceivedMail> {
    mails.iter().filter(|m| m.subject.contains(part)).collect()
}

/// The access key of an order-status link (`…/orders/{id}?key=ok_…`).
fn key_of(link: &str) -> Option<&str> {
    link.split_once("?key=").map(|(_, key)| key)
}
