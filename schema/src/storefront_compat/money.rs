//! Money as Shopify's Storefront API shapes it: `MoneyV2 { amount currencyCode }`, the amount
//! a decimal string ("19.99"), as on `/graphql`.

use crate::common::money::{CurrencyCode, Decimal};
use async_graphql::SimpleObject;

#[derive(SimpleObject, Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoneyV2 {
    pub amount: Decimal,
    pub currency_code: CurrencyCode,
}

impl MoneyV2 {
    pub fn from_minor(minor: i64, currency: CurrencyCode) -> Self {
        Self {
            amount: Decimal::from_minor(minor, currency),
            currency_code: currency,
        }
    }
}

/// The lowest and highest variant price of a product.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct ProductPriceRange {
    pub min_variant_price: MoneyV2,
    pub max_variant_price: MoneyV2,
}
