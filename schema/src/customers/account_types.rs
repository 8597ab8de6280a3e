//! GraphQL types of the account page: saved addresses and the payloads of the account
//! mutations (`account_mutation`).

use crate::carts::types::MailingAddress;
use crate::common::user_error::UserError;
use async_graphql::{ID, InputObject, Json, MaybeUndefined, SimpleObject};
use entities::customer_address;

/// An address of the customer's address book: a mailing address (its fields flattened in,
/// as carts and orders show them) with an id and whether it is the default.
#[derive(SimpleObject, Clone, Debug)]
pub struct CustomerAddress {
    pub id: ID,
    #[graphql(flatten)]
    pub address: MailingAddress,
    /// What a new cart is prefilled with; the first address saved is the default.
    pub is_default: bool,
}

impl From<customer_address::Model> for CustomerAddress {
    fn from(row: customer_address::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            address: row.address.into(),
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
