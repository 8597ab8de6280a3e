//! CUSTOMER_CREATED and CART_ABANDONED: what the events carry (they are written when the
//! account or the reminder is made), in the API's names.

use super::{id, timestamp};
use crate::carts::events::CartAbandonment;
use crate::customers::events::CustomerCreated;
use serde_json::{Value, json};

pub(super) fn customer(customer: &CustomerCreated) -> Value {
    json!({
        "id": id(customer.customer_id),
        "email": customer.email,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
    })
}

pub(super) fn cart(cart: &CartAbandonment) -> Value {
    json!({
        "id": id(cart.cart_id),
        "customerId": cart.customer_id.map(id),
        "email": cart.email,
        "currencyCode": cart.currency_code,
        "totalQuantity": cart.total_quantity,
        "updatedAt": timestamp(cart.last_changed_at),
    })
}
