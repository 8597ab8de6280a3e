//! Checkout and orders over HTTP: placing orders, payments, idempotency, never overselling,
//! the order state machine, snapshots, `orderUpdated`, guests' access keys, shipping and returns.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod capture;
mod concurrency;
mod discount_usage;
mod fulfilments;
mod guest_tracking;
mod lifecycle;
mod money;
mod placing;
mod refunds;
mod returns;
mod shipping_methods;
mod transitions;
mod webhooks;

use super::carts::{Shop, accepted, amount};
use e2e::{Backend, CartId, Client, GraphqlResponse, OrderId, e2e};
use entities::stock_level;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::fmt::Display;

const ORDER_FIELDS: &str = r#"
  id number status email currencyCode customerId discountCode
  lines { sku productName variantName quantity unitPrice { amount } total { amount } variantId }
  subtotal { amount } discountTotal { amount } shippingTotal { amount } taxTotal { amount }
  total { amount currencyCode }
  shippingAddress { city countryCode }
  billingAddress { city countryCode }
  events { kind fromStatus toStatus message }
  payments { provider status amount { amount } reference }
"#;

fn checkout_query() -> String {
    format!(
        "mutation($cart: ID!, $key: String!, $payment: PaymentInput) {{ checkoutComplete(cartId: $cart, idempotencyKey: $key, payment: $payment) {{ order {{ {ORDER_FIELDS} }} accessKey userErrors {{ field message code }} }} }}"
    )
}

impl Shop {
    /// A guest cart with `lines`, with the buyer details checkout needs.
    async fn ready_cart(&self, lines: &[(usize, i32)]) -> anyhow::Result<CartId> {
        self.cart_of(&self.guest, lines).ready().create().await
    }

    /// The cart and the order `customer` placed for one unit of the first item (manual
    /// payment).
    pub(crate) async fn customer_order(
        &self,
        customer: &Client,
    ) -> anyhow::Result<(CartId, Value)> {
        let cart = self.cart_of(customer, &[(0, 1)]).ready().create().await?;
        let order = placed(&self.checkout(customer, cart, "k", Value::Null).await?).clone();
        Ok((cart, order))
    }

    async fn checkout(
        &self,
        viewer: &Client,
        cart: impl Display,
        key: &str,
        payment: Value,
    ) -> anyhow::Result<GraphqlResponse> {
        viewer
            .graphql(
                &checkout_query(),
                json!({ "cart": cart.to_string(), "key": key, "payment": payment }),
            )
            .await
    }

    /// Units on hand and allocated of item `index` (over warehouses).
    async fn stock_of(&self, index: usize) -> anyhow::Result<(i32, i32)> {
        self.stock_of_variant(self.items[index].variant).await
    }

    /// Units on hand and allocated of `variant` (over warehouses).
    async fn stock_of_variant(&self, variant: e2e::VariantId) -> anyhow::Result<(i32, i32)> {
        let levels = stock_level::Entity::find()
            .filter(stock_level::Column::VariantId.eq(variant.uuid()))
            .all(&self.db)
            .await?;
        Ok((
            levels.iter().map(|l| l.on_hand).sum(),
            levels.iter().map(|l| l.allocated).sum(),
        ))
    }
}

/// The id of an order in a response.
fn order_id(order: &Value) -> OrderId {
    OrderId::of(&order["id"])
}

/// The order of a successful checkout.
fn placed(response: &GraphqlResponse) -> &Value {
    let payload = &response.data()["checkoutComplete"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    &payload["order"]
}

fn checkout_errors(response: &GraphqlResponse) -> &Vec<Value> {
    let payload = &response.data()["checkoutComplete"];
    payload["userErrors"].as_array().unwrap()
}
