//! GraphQL types of the account page: saved addresses and the payloads of the account
//! mutations (`account_mutation`).

use crate::common::user_error::UserError;
use async_graphql::{ID, InputObject, Json, MaybeUndefined, SimpleObject};
use entities::customer_address;

/// An address of the customer's address book.
#[derive(SimpleObject, Clone, Debug)]
pub struct CustomerAddress {
    pub id: ID,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub province: Option<String>,
    pub zip: String,
    pub country_code: String,
    pub phone: Option<String>,
    /// What a new cart is prefilled with; the first address saved is the default.
    pub is_default: bool,
}

impl From<customer_address::Model> for CustomerAddress {
    fn from(row: customer_address::Model) -> Self {
        let a = row.address;
        Self {
            id: ID(row.id.to_string()),
            first_name: a.first_name,
            last_name: a.last_name,
            address1: a.address1,
            address2: a.address2,
            city: a.city,
            province: a.province,
            zip: a.zip,
            country_code: a.country_code,
            phone: a.phone,
            is_default: row.is_default,
        }
    }
}

/// Fields left out stay as they are; `null` clears a name or the phone.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CustomerUpdateInput {
    pub first_name: MaybeUndefined<String>,
    pub last_name: MaybeUndefined<String>,
    /// Digits, spaces, `-`, `.`, parentheses and a leading `+`; 4 to 20 digits.
    pub phone: MaybeUndefined<String>,
    /// Whether the customer agrees to marketing mail.
    pub accepts_marketing: Option<bool>,
}

/// The address a mutation saved (or made the default).
#[derive(SimpleObject, Default)]
pub struct CustomerAddressPayload {
    pub address: Option<CustomerAddress>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Default)]
pub struct CustomerAddressDeletePayload {
    pub deleted_address_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Default)]
pub struct CustomerPasswordChangePayload {
    /// How many other sessions were signed out (this one stays signed in).
    pub ended_sessions: i32,
    pub user_errors: Vec<UserError>,
}

/// Always the same answer for a well-formed address, whether or not an account has it: if
/// one does, a link to choose a new password is on its way.
#[derive(SimpleObject, Default)]
pub struct CustomerPasswordResetRequestPayload {
    pub user_errors: Vec<UserError>,
}

/// After a reset every session of the account has ended: sign in with the new password.
#[derive(SimpleObject, Default)]
pub struct CustomerPasswordResetPayload {
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Default)]
pub struct CustomerDataExportPayload {
    /// Everything stored about the signed-in customer: profile, addresses, orders (lines,
    /// payments, shipments, returns, refunds, history), carts, sessions, back-in-stock
    /// subscriptions, and `generatedAt`.
    pub data: Option<Json<serde_json::Value>>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Default)]
pub struct CustomerDeletePayload {
    pub deleted_customer_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}
