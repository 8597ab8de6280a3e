//! `cart`: one iteration creates a cart (`cartCreate`, USD) and adds three random in-stock
//! variants one at a time (`cartLinesAdd`, quantity 1). Latency is recorded per request and
//! per iteration; `OUT_OF_STOCK` refusals are counted apart from errors.

use crate::load::{Rec, Scenario};
use serde_json::{Value, json};
use std::sync::Arc;

pub const CREATE: &str = "mutation($input:CartCreateInput){ cartCreate(input:$input) { cart { id } userErrors { code message } } }";
pub const ADD: &str = "mutation($id:ID!,$lines:[CartLineInput!]!){ cartLinesAdd(cartId:$id, lines:$lines) { cart { id totalQuantity cost { total { amount } } } userErrors { code message } } }";

/// Lines added per cart.
pub const LINES: usize = 3;

pub struct Cart {
    variants: Arc<[String]>,
    input: Value,
}

impl Cart {
    pub fn new(variants: &[String]) -> Self {
        Self {
            variants: variants.into(),
            input: json!({ "currencyCode": "USD" }),
        }
    }
}

impl Scenario for Cart {
    async fn iteration(&self, rec: &mut Rec) {
        fill(rec, &self.variants, &self.input).await;
    }

    fn counters(&self) -> &'static [&'static str] {
        &["out_of_stock"]
    }
}

/// A filled cart.
pub struct Filled {
    pub id: String,
    /// Lines the server accepted (the others were out of stock).
    pub lines: usize,
}

/// Creates a cart with `input` and adds [`LINES`] random variants of `variants`, one request
/// each. `None` when the cart could not be created.
pub async fn fill(rec: &mut Rec, variants: &[String], input: &Value) -> Option<Filled> {
    let data = rec
        .call("cartCreate", CREATE, &json!({ "input": input }))
        .await?;
    let payload = &data["cartCreate"];
    let Some(id) = payload["cart"]["id"].as_str().map(str::to_owned) else {
        rec.fail("cartCreate", format!("no cart: {}", payload["userErrors"]));
        return None;
    };
    let mut lines = 0;
    for _ in 0..LINES {
        let variant = &variants[fastrand::usize(..variants.len())];
        let variables = json!({ "id": id, "lines": [{ "variantId": variant, "quantity": 1 }] });
        let Some(data) = rec.call("cartLinesAdd", ADD, &variables).await else {
            continue;
        };
        if user_errors(rec, "cartLinesAdd", &data["cartLinesAdd"]) {
            lines += 1;
        }
    }
    Some(Filled { id, lines })
}

/// Whether `payload` has no user errors; counts `OUT_OF_STOCK` ones as `out_of_stock` and
/// records any other as an error.
pub fn user_errors(rec: &mut Rec, op: &'static str, payload: &Value) -> bool {
    let errors = payload["userErrors"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    if errors.is_empty() {
        return true;
    }
    if errors.iter().all(|e| e["code"] == "OUT_OF_STOCK") {
        rec.count("out_of_stock");
    } else {
        rec.fail(op, format!("user errors: {}", Value::from(errors.to_vec())));
    }
    false
}
