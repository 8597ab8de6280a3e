//! Checkout and orders over HTTP: placing orders, payments, idempotency, never overselling,
//! the order state machine, snapshots and `orderUpdated`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod concurrency;
mod discount_usage;
mod lifecycle;
mod placing;
mod transitions;
mod webhooks;

use super::carts::{Shop, accepted, amount, mutation, set_stock};
use e2e::{Backend, GraphqlResponse, e2e};
use entities::stock_level;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const ORDER_FIELDS: &str = r#"
  id number status email currencyCode customerId discountCode
  lines { sku productName variantName quantity unitPrice { amount } total { amount } variantId }
  subtotal { amount } discountTotal { amount } shippingTotal { amount } taxTotal { amount }
  total { amount currencyCode }
  shippingAddress { city countryCode }
  events { kind fromStatus toStatus message }
  payments { provider status amount { amount } reference }
"#;

fn checkout_query() -> String {
    format!(
        "mutation($cart: ID!, $key: String!, $payment: PaymentInput) {{ checkoutComplete(cartId: $cart, idempotencyKey: $key, payment: $payment) {{ order {{ {ORDER_FIELDS} }} userErrors {{ field message code }} }} }}"
    )
}

impl Shop {
    /// Sets an email and a shipping address, as a storefront does before checkout.
    async fn ready(&self, token: Option<&str>, cart: &str) -> anyhow::Result<()> {
        let update = mutation(
            "cartBuyerIdentityUpdate",
            "cartId: $cart, buyerIdentity: $buyer",
            "$cart: ID!, $buyer: CartBuyerIdentityInput!",
        );
        let buyer = json!({
            "email": "buyer@example.com",
            "shippingAddress": { "address1": "1 Main St", "city": "Springfield", "zip": "12345", "countryCode": "US" }
        });
        let response = self
            .server
            .graphql_as(token, &update, json!({ "cart": cart, "buyer": buyer }))
            .await?;
        accepted(&response, "cartBuyerIdentityUpdate");
        Ok(())
    }

    /// A guest cart with `lines`, ready for checkout.
    async fn ready_cart(&self, lines: &[(usize, i32)]) -> anyhow::Result<String> {
        let cart = self.cart_with(lines).await?;
        self.ready(None, &cart).await?;
        Ok(cart)
    }

    /// The cart and the order `token`'s customer placed for one unit of the first item
    /// (manual payment).
    pub(crate) async fn customer_order(&self, token: &str) -> anyhow::Result<(String, Value)> {
        let created = self
            .create(Some(token), json!({ "lines": self.lines(&[(0, 1)]) }))
            .await?;
        let cart = accepted(&created, "cartCreate")["id"]
            .as_str()
            .unwrap()
            .to_owned();
        self.ready(Some(token), &cart).await?;
        let order = placed(&self.checkout(Some(token), &cart, "k", Value::Null).await?).clone();
        Ok((cart, order))
    }

    async fn checkout(
        &self,
        token: Option<&str>,
        cart: &str,
        key: &str,
        payment: Value,
    ) -> anyhow::Result<GraphqlResponse> {
        self.server
            .graphql_as(
                token,
                &checkout_query(),
                json!({ "cart": cart, "key": key, "payment": payment }),
            )
            .await
    }

    /// Units allocated and on hand of item `index` (over warehouses).
    async fn stock_of(&self, index: usize) -> anyhow::Result<(i32, i32)> {
        let levels = stock_level::Entity::find()
            .filter(stock_level::Column::VariantId.eq(self.items[index].uuid))
            .all(&self.db)
            .await?;
        Ok((
            levels.iter().map(|l| l.on_hand).sum(),
            levels.iter().map(|l| l.allocated).sum(),
        ))
    }
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
