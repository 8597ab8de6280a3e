//! Discount types for staff tools.

use crate::common::money::{CurrencyCode, Decimal, Money};
use crate::common::user_error::UserError;
use async_graphql::{Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::discount;
use entities::enums::DiscountKind as StoredKind;

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DiscountKind {
    /// `value` is a percentage of the subtotal (e.g. "12.5").
    Percentage,
    /// `value` is an amount in the discount's `currencyCode`.
    FixedAmount,
    /// Shipping costs nothing; `value` is not used.
    FreeShipping,
}

impl From<DiscountKind> for StoredKind {
    fn from(kind: DiscountKind) -> Self {
        match kind {
            DiscountKind::Percentage => StoredKind::Percentage,
            DiscountKind::FixedAmount => StoredKind::FixedAmount,
            DiscountKind::FreeShipping => StoredKind::FreeShipping,
        }
    }
}

impl From<StoredKind> for DiscountKind {
    fn from(kind: StoredKind) -> Self {
        match kind {
            StoredKind::Percentage => DiscountKind::Percentage,
            StoredKind::FixedAmount => DiscountKind::FixedAmount,
            StoredKind::FreeShipping => DiscountKind::FreeShipping,
        }
    }
}

pub struct Discount(pub discount::Model);

impl Discount {
    fn currency(&self) -> Option<CurrencyCode> {
        self.0.currency_code.as_deref().and_then(|c| c.parse().ok())
    }
}

#[Object]
impl Discount {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Upper-case; shoppers may type it in any case.
    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn kind(&self) -> DiscountKind {
        self.0.kind.into()
    }

    /// Percent for PERCENTAGE ("12.5"), an amount for FIXED_AMOUNT, "0" for FREE_SHIPPING.
    async fn value(&self) -> Decimal {
        match (self.0.kind, self.currency()) {
            (StoredKind::FixedAmount, Some(currency)) => {
                Decimal::from_minor(self.0.value, currency)
            }
            // Basis points are hundredths of a percent, as cents are of a dollar.
            _ => Decimal::from_minor(self.0.value, CurrencyCode::Usd),
        }
    }

    /// The only currency of carts it applies to; any currency when null.
    async fn currency_code(&self) -> Option<CurrencyCode> {
        self.currency()
    }

    async fn minimum_subtotal(&self) -> Option<Money> {
        Some(Money::from_minor(
            self.0.minimum_subtotal?,
            self.currency()?,
        ))
    }

    async fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.0.starts_at
    }

    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }

    /// Orders that may use it; unlimited when null.
    async fn usage_limit(&self) -> Option<i32> {
        self.0.usage_limit
    }

    /// Orders that used it.
    async fn usage_count(&self) -> i32 {
        self.0.usage_count
    }

    async fn active(&self) -> bool {
        self.0.active
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct DiscountCreateInput {
    /// Letters, digits, dashes and underscores, at most 64; stored upper-case; unique.
    pub code: String,
    pub kind: DiscountKind,
    /// Percent (0–100, two decimals) or an amount in `currencyCode`; omit for FREE_SHIPPING.
    pub value: Option<Decimal>,
    /// Required for FIXED_AMOUNT and with `minimumSubtotal`; restricts the code to carts in
    /// this currency.
    pub currency_code: Option<CurrencyCode>,
    pub minimum_subtotal: Option<Decimal>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub usage_limit: Option<i32>,
    /// Defaults to true.
    pub active: Option<bool>,
}

/// Fields left out keep their value; `null` clears an optional one.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DiscountUpdateInput {
    pub value: Option<Decimal>,
    pub minimum_subtotal: MaybeUndefined<Decimal>,
    pub starts_at: MaybeUndefined<DateTime<Utc>>,
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
    pub usage_limit: MaybeUndefined<i32>,
    pub active: Option<bool>,
}

#[derive(SimpleObject)]
pub struct DiscountPayload {
    pub discount: Option<Discount>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct DiscountDeletePayload {
    pub deleted_discount_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}
