//! Small structured values stored in JSON columns (`jsonb` on PostgreSQL, text on SQLite).
//! They are always read with their row, so a column saves a join and a statement.

use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

/// One `{"name": .., "value": ..}` pair: a product attribute or a variant's selected option.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult, Default)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}

/// `products.attributes` and `product_variants.options`, in display order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult, Default)]
pub struct NameValueList(pub Vec<NameValue>);

/// A list of strings, e.g. `carts.discount_codes` (`["SUMMER10"]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult, Default)]
pub struct StringList(pub Vec<String>);

/// A postal address, as given at checkout (`carts.shipping_address`, `orders.shipping_address`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult, Default)]
pub struct MailingAddress {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub province: Option<String>,
    pub zip: String,
    pub country_code: String,
    pub phone: Option<String>,
}

/// A payment's next customer action, as stored (`payments.next_action`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct NextActionJson {
    pub kind: String,
    pub client_secret: Option<String>,
    pub redirect_url: Option<String>,
}

/// A shipping method's price in one currency, in minor units; shipping is free once the
/// goods (after discounts) reach `free_above`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingPrice {
    pub currency_code: String,
    pub amount: i64,
    pub free_above: Option<i64>,
}

/// `shipping_methods.prices`: at most one entry per currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult, Default)]
pub struct ShippingPriceList(pub Vec<ShippingPrice>);
