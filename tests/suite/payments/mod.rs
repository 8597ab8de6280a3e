//! Payments through real providers' APIs: `stripe` against the suite's own Stripe stand-in
//! (`e2e::stripe`), from checkout to Stripe's webhooks, on both backends.
//!
//! Capture, void and refund run through the staff mutations (`stripe_money`); the provider's
//! own answers are also checked directly (`stripe_provider`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod stripe_checkout;
mod stripe_money;
mod stripe_provider;
mod stripe_webhooks;

use super::carts::Shop;
use e2e::stripe::{STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, StripeStandIn};
use e2e::{Backend, CartId, GraphqlResponse, e2e};
use entities::stock_level;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const ORDER_FIELDS: &str = r#"
  id status paymentStatus total { amount currencyCode }
  events { kind }
  payments { provider status reference nextAction { type clientSecret redirectUrl } }
"#;

/// A shop whose `stripe` provider talks to a stand-in of its own.
struct StripeShop {
    shop: Shop,
    stripe: StripeStandIn,
}

impl StripeShop {
    /// A shop with products at `prices` (USD minor units, 10 in stock each) and Stripe on.
    async fn open(backend: Backend, prices: &[i64]) -> anyhow::Result<Self> {
        Self::open_with(backend, prices, |_| {}).await
    }

    /// Like `open`, with configuration changes applied too.
    async fn open_with(
        backend: Backend,
        prices: &[i64],
        configure: impl FnOnce(&mut shopgraph::config::Config),
    ) -> anyhow::Result<Self> {
        let stripe = StripeStandIn::start().await?;
        let base = stripe.url();
        let shop = Shop::open(backend, prices, |config| {
            config.commerce.stripe_secret_key = Some(STRIPE_SECRET_KEY.parse().unwrap());
            config.commerce.stripe_api_base = base.parse().unwrap();
            config.commerce.stripe_webhook_secret = Some(STRIPE_WEBHOOK_SECRET.to_owned());
            configure(config);
        })
        .await?;
        Ok(Self { shop, stripe })
    }

    /// Runs a staff money mutation (`orderPaymentCapture`, `orderPaymentVoid`,
    /// `orderRefundCreate`) and returns its payload.
    async fn staff(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        self.shop.admin.mutate(query, variables).await
    }

    fn webhook_url(&self) -> String {
        self.shop.server.url("/webhooks/payments/stripe")
    }

    /// A guest cart with one unit of item `index`, ready for checkout.
    async fn cart(&self, index: usize) -> anyhow::Result<CartId> {
        self.shop
            .cart_of(&self.shop.guest, &[(index, 1)])
            .ready()
            .create()
            .await
    }

    /// `checkoutComplete` paying with the Stripe PaymentMethod `payment_method`.
    async fn checkout(
        &self,
        cart: impl std::fmt::Display,
        payment_method: &str,
    ) -> anyhow::Result<GraphqlResponse> {
        let query = format!(
            "mutation($cart: ID!, $payment: PaymentInput) {{ checkoutComplete(cartId: $cart, idempotencyKey: \"k\", payment: $payment) {{ order {{ {ORDER_FIELDS} }} userErrors {{ field message code }} }} }}"
        );
        let payment = json!({ "provider": "stripe", "token": payment_method });
        self.shop
            .guest
            .graphql(
                &query,
                json!({ "cart": cart.to_string(), "payment": payment }),
            )
            .await
    }

    /// The order as staff read it now.
    async fn order(&self, id: &Value) -> anyhow::Result<Value> {
        let read = self
            .shop
            .admin
            .graphql(
                &format!("query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"),
                json!({ "id": id }),
            )
            .await?;
        Ok(read.data()["order"].clone())
    }

    /// Units of item `index` allocated to orders (over warehouses).
    async fn allocated(&self, index: usize) -> anyhow::Result<i32> {
        let levels = stock_level::Entity::find()
            .filter(stock_level::Column::VariantId.eq(self.shop.items[index].variant.uuid()))
            .all(&self.shop.db)
            .await?;
        Ok(levels.iter().map(|l| l.allocated).sum())
    }

    async fn stop(self) -> anyhow::Result<()> {
        self.shop.server.stop().await
    }
}

/// The checkout's order, failing the test on user errors.
fn placed(response: &GraphqlResponse) -> Value {
    let payload = &response.data()["checkoutComplete"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    payload["order"].clone()
}

/// An amount as the API writes it ("10.05", "2405") in minor units.
fn minor(amount: &Value) -> i64 {
    amount.as_str().unwrap().replace('.', "").parse().unwrap()
}

/// How many history entries of `kind` the order has.
fn entries(order: &Value, kind: &str) -> usize {
    order["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .count()
}
