//! The checkout page's template context, from the priced cart view — the one `/graphql`'s
//! `Cart` shows: the same lines, totals, codes and shipping offers, never priced again here.

use super::form::{self, Fields};
use schema::carts::service::view::{CartView, LineProblem};
use schema::carts::types::Cart;
use schema::common::money::{CurrencyCode, Money};
use schema::pricing::Applicability;
use schema::shipping::service::rates::Missing;
use serde_json::{Map, Value, json};

/// The providers the hosted page offers, with what the buyer reads. Stripe is left out: it
/// takes card details in Stripe's own script (Stripe.js from Stripe's servers), which the
/// page's self-only policy and its no-JavaScript promise both rule out.
pub const PROVIDERS: &[(&str, &str)] = &[
    ("test", "Test card (no real money moves)"),
    (
        "manual",
        "Pay later (bank transfer or cash: the shop confirms your payment)",
    ),
];

/// Whether the page offers `provider`: one of [`PROVIDERS`] the server has (the test provider
/// is off in production unless PAYMENT_TEST_PROVIDER turns it on).
pub fn offered(state: &crate::state::ServerState, provider: &str) -> bool {
    PROVIDERS.iter().any(|(name, _)| *name == provider)
        && state.app.payments.get(provider).is_some()
}

/// The test provider's cards the page lets a tester pick.
const TEST_CARDS: &[(&str, &str)] = &[
    ("tok_visa", "Visa ending 4242 (pays)"),
    ("tok_authorize", "Card that is only authorised"),
    ("tok_declined", "Card that is declined"),
];

/// "19.99 USD".
pub fn money(minor: i64, currency: CurrencyCode) -> String {
    let money = Money::from_minor(minor, currency);
    format!("{} {}", money.amount, currency.as_str())
}

/// The cart part of the context: lines, totals, codes.
pub fn cart_context(view: &CartView) -> Value {
    let currency = view.currency;
    let totals = view.priced.totals;
    let lines: Vec<Value> = view
        .lines
        .iter()
        .map(|line| {
            let quantity = line.line.quantity;
            let problem = line.problem.map(|problem| match problem {
                LineProblem::InsufficientStock => {
                    format!("Only {} available", line.available)
                }
                LineProblem::NotForSale => "No longer for sale".to_owned(),
                LineProblem::NoPrice => format!("Not sold in {}", currency.as_str()),
            });
            json!({
                "product": line.product.name,
                "variant": line.variant.name,
                "sku": line.variant.sku,
                "quantity": quantity,
                "unit_price": line.unit_price.map(|p| money(p, currency)),
                // As `CartLine.cost.subtotal`: none rather than a saturated amount.
                "subtotal": line
                    .unit_price
                    .and_then(|p| p.checked_mul(i64::from(quantity)))
                    .map(|p| money(p, currency)),
                "problem": problem,
            })
        })
        .collect();
    let codes: Vec<Value> = view
        .priced
        .codes
        .iter()
        .map(|(code, applicability)| match applicability {
            Applicability::Applies => json!({ "code": code, "applicable": true }),
            Applicability::NotApplicable(reason) => {
                json!({ "code": code, "applicable": false, "reason": reason })
            }
        })
        .collect();
    json!({
        "lines": lines,
        "codes": codes,
        "has_discount": totals.discount > 0,
        "totals": {
            "subtotal": money(totals.subtotal, currency),
            "discount": money(totals.discount, currency),
            "shipping": money(totals.shipping, currency),
            "tax": money(totals.tax, currency),
            "total": money(totals.total, currency),
        },
    })
}

/// The shipping methods offered (`availableShippingMethods`, each with its cost for this
/// cart) and, when there are none, why.
pub fn shipping_context(cart: &Cart) -> (Value, &'static str) {
    let view = &cart.0;
    let chosen = view.shipping.chosen.as_ref().map(|o| o.method.id);
    let methods: Vec<Value> = view
        .shipping
        .offers
        .iter()
        .map(|offer| {
            let cost = cart.shipping_cost(offer);
            json!({
                "id": offer.method.id.to_id_string(),
                "name": offer.method.name,
                "description": offer.method.description,
                "price": money(cost.amount, cost.currency),
                "checked": Some(offer.method.id) == chosen,
            })
        })
        .collect();
    let why_none = match (&view.cart.shipping_address, view.shipping.missing) {
        (None, _) => "Save a shipping address first: the methods depend on its country.",
        (Some(_), Some(Missing::NoLongerApplies)) => {
            "The method you chose no longer ships to this address. Change the address."
        }
        (Some(_), _) => "No shipping method ships to this address. Change the address.",
    };
    (Value::Array(methods), why_none)
}

/// The form values: what the buyer just sent when a step was refused, else the cart's.
pub fn values(view: &CartView, sent: Option<&Fields>) -> Value {
    let mut values = Map::new();
    if let Some(sent) = sent {
        for (name, value) in sent {
            if name != "token" && name != "action" {
                values.insert(name.clone(), json!(value));
            }
        }
        return Value::Object(values);
    }
    values.insert("email".into(), json!(view.cart.email));
    if let Some(a) = &view.cart.shipping_address {
        let stored = [
            ("firstName", a.first_name.as_deref()),
            ("lastName", a.last_name.as_deref()),
            ("address1", Some(a.address1.as_str())),
            ("address2", a.address2.as_deref()),
            ("city", Some(a.city.as_str())),
            ("province", a.province.as_deref()),
            ("zip", Some(a.zip.as_str())),
            ("countryCode", Some(a.country_code.as_str())),
            ("phone", a.phone.as_deref()),
        ];
        for (field, value) in stored {
            values.insert(field.to_owned(), json!(value));
        }
    }
    Value::Object(values)
}

/// The payment choices the server has, the first (or the one sent) checked, and the test
/// cards when the test provider is among them.
pub fn payment_context(available: impl Fn(&str) -> bool, sent: Option<&Fields>) -> (Value, Value) {
    let offered: Vec<&(&str, &str)> = PROVIDERS.iter().filter(|(n, _)| available(n)).collect();
    let wanted = sent
        .map(|fields| form::value(fields, "provider"))
        .filter(|name| offered.iter().any(|(n, _)| n == name))
        .or_else(|| offered.first().map(|(n, _)| *n));
    let providers: Vec<Value> = offered
        .iter()
        .map(|(name, label)| json!({ "name": name, "label": label, "checked": Some(*name) == wanted }))
        .collect();
    let card = sent.map_or("tok_visa", |fields| form::value(fields, "card"));
    let cards: Vec<Value> = if available("test") {
        TEST_CARDS
            .iter()
            .map(|(token, label)| json!({ "token": token, "label": label, "selected": *token == card }))
            .collect()
    } else {
        Vec::new()
    };
    (Value::Array(providers), Value::Array(cards))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_their_currency() {
        assert_eq!(money(1999, CurrencyCode::Usd), "19.99 USD");
    }
}
