//! `checkout`: the cart flow (with the buyer's email and shipping address set at creation,
//! as checkout requires them) followed by `checkoutComplete` with a fresh idempotency key and
//! no payment argument (manual payment: the order is placed and waits for payment). Each
//! iteration is its own cart. Placed orders are counted (orders/s); refusals for lack of
//! stock are counted as `out_of_stock`, apart from errors — small catalogs run out.

use super::cart::{self, user_errors};
use crate::load::{Rec, Scenario};
use serde_json::{Value, json};
use std::sync::Arc;

pub const COMPLETE: &str = "mutation($id:ID!,$key:String!){ checkoutComplete(cartId:$id, idempotencyKey:$key) { order { id number status } userErrors { code message } } }";

/// `CartCreateInput` of a cart that can be checked out once it has lines.
pub fn cart_input() -> Value {
    json!({
        "currencyCode": "USD",
        "buyerIdentity": {
            "email": "bench-buyer@example.com",
            "shippingAddress": {
                "firstName": "Bench",
                "lastName": "Buyer",
                "address1": "1 Load Street",
                "city": "Springfield",
                "zip": "12345",
                "countryCode": "US"
            }
        }
    })
}

pub struct Checkout {
    variants: Arc<[String]>,
    input: Value,
}

impl Checkout {
    pub fn new(variants: &[String]) -> Self {
        Self {
            variants: variants.into(),
            input: cart_input(),
        }
    }
}

impl Scenario for Checkout {
    async fn iteration(&self, rec: &mut Rec) {
        let Some(filled) = cart::fill(rec, &self.variants, &self.input).await else {
            return;
        };
        if filled.lines == 0 {
            // Every line was out of stock (counted): there is nothing to check out.
            return;
        }
        let key = uuid::Uuid::new_v4().to_string();
        let variables = json!({ "id": filled.id, "key": key });
        let Some(data) = rec.call("checkoutComplete", COMPLETE, &variables).await else {
            return;
        };
        let payload = &data["checkoutComplete"];
        if user_errors(rec, "checkoutComplete", payload) {
            if payload["order"]["id"].is_string() {
                rec.count("orders");
            } else {
                rec.fail("checkoutComplete", "no order and no user error");
            }
        }
    }

    fn counters(&self) -> &'static [&'static str] {
        &["orders", "out_of_stock"]
    }
}
