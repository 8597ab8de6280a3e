//! What the checkout forms send, as the services' inputs, and where the services' user errors
//! are shown: each error is placed beside the form field its path names.

use entities::json::MailingAddress;
use schema::carts::service::details::BuyerIdentity;
use schema::common::user_error::UserError;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The fields of one form post, by name.
pub type Fields = HashMap<String, String>;

/// The address form's fields, in the order the page shows them.
pub const ADDRESS_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "address1",
    "address2",
    "city",
    "province",
    "zip",
    "countryCode",
    "phone",
];

/// A field's value, trimmed ("" when absent).
pub fn value<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.get(name).map_or("", |v| v.trim())
}

fn optional(fields: &Fields, name: &str) -> Option<String> {
    Some(value(fields, name).to_owned()).filter(|v| !v.is_empty())
}

/// The contact form as `cartBuyerIdentityUpdate`'s input. An empty email is sent as given,
/// so the service refuses it (a buyer clearing the field means no email, not "keep it").
pub fn buyer(fields: &Fields) -> BuyerIdentity {
    let required = |name: &str| value(fields, name).to_owned();
    BuyerIdentity {
        email: Some(required("email")),
        shipping_address: Some(MailingAddress {
            first_name: optional(fields, "firstName"),
            last_name: optional(fields, "lastName"),
            address1: required("address1"),
            address2: optional(fields, "address2"),
            city: required("city"),
            province: optional(fields, "province"),
            zip: required("zip"),
            country_code: required("countryCode"),
            phone: optional(fields, "phone"),
        }),
        billing_address: None,
    }
}

/// The id of the page element an error with this path belongs to (`None`: the page as a
/// whole). Checkout's paths start with `cart`; the cart mutations' do not.
fn element_of(path: &[String]) -> Option<&'static str> {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let path = match path.as_slice() {
        ["cart", rest @ ..] => rest,
        all => all,
    };
    match path {
        ["buyerIdentity", "email", ..] => Some("email"),
        ["buyerIdentity", "shippingAddress", field, ..] => {
            ADDRESS_FIELDS.iter().copied().find(|f| f == field)
        }
        ["buyerIdentity", "shippingAddress"] => Some("address1"),
        ["shippingMethodId", ..] | ["shippingMethod", ..] => Some("shippingMethod"),
        ["discountCodes", ..] => Some("discountCode"),
        ["payment", ..] | ["idempotencyKey", ..] => Some("payment"),
        ["lines", ..] => Some("lines"),
        _ => None,
    }
}

/// The errors for the template: `errors` (messages by element id) and `summary` (every
/// message, linked to its element), in the services' order.
pub fn placed_errors(user_errors: &[UserError]) -> (Value, Value) {
    let mut by_element: Map<String, Value> = Map::new();
    let mut summary = Vec::new();
    for error in user_errors {
        let element = error.field.as_deref().and_then(element_of);
        if let Some(element) = element {
            let messages = by_element
                .entry(element)
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = messages {
                list.push(json!(error.message));
            }
        }
        summary.push(json!({ "field": element, "message": error.message }));
    }
    (Value::Object(by_element), Value::Array(summary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema::common::user_error::ErrorCode;

    fn at(path: &[&str]) -> Option<&'static str> {
        let path: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        element_of(&path)
    }

    #[test]
    fn errors_land_beside_their_fields() {
        assert_eq!(at(&["buyerIdentity", "email"]), Some("email"));
        assert_eq!(at(&["cart", "buyerIdentity", "email"]), Some("email"));
        assert_eq!(
            at(&["buyerIdentity", "shippingAddress", "zip"]),
            Some("zip")
        );
        assert_eq!(
            at(&["cart", "buyerIdentity", "shippingAddress"]),
            Some("address1")
        );
        assert_eq!(at(&["shippingMethodId"]), Some("shippingMethod"));
        assert_eq!(at(&["cart", "shippingMethod"]), Some("shippingMethod"));
        assert_eq!(at(&["discountCodes", "0"]), Some("discountCode"));
        assert_eq!(at(&["payment", "provider"]), Some("payment"));
        assert_eq!(at(&["cart", "lines", "1"]), Some("lines"));
        assert_eq!(at(&["cartId"]), None);

        let errors = [
            UserError::new(&["buyerIdentity", "email"], ErrorCode::Invalid, "bad"),
            UserError::new(&["cartId"], ErrorCode::Invalid, "empty"),
        ];
        let (by_element, summary) = placed_errors(&errors);
        assert_eq!(by_element, json!({ "email": ["bad"] }));
        assert_eq!(
            summary,
            json!([{ "field": "email", "message": "bad" }, { "field": null, "message": "empty" }])
        );
    }
}
