//! Cart and order totals: subtotal, discounts, shipping and tax, in integer minor units of
//! the cart's currency. A pure function of its inputs, so carts, checkout and tests all
//! agree to the minor unit.
//!
//! Rules (also in the README):
//! - `subtotal` = Σ unit price × quantity.
//! - Discounts: at most one amount discount (the first applicable PERCENTAGE or
//!   FIXED_AMOUNT code) and free shipping (any applicable FREE_SHIPPING code). A percentage
//!   is of the subtotal, rounded half away from zero; a fixed amount never exceeds the
//!   subtotal. A code applies when it is active, within its validity window, its minimum
//!   subtotal (before discounts) is met, its usage limit is not used up, and a fixed amount
//!   is in the cart's currency.
//! - Shipping: the currency's flat rate, free when the discounted subtotal reaches the
//!   free-shipping threshold or a free-shipping code applies; nothing for an empty cart.
//! - Tax on goods after discounts (shipping untaxed) at the configured rate. Exclusive (the
//!   default): added to the total. Inclusive: prices already contain it; `taxTotal` reports
//!   the contained part and the total does not change.

pub mod settings;

pub use settings::PricingSettings;

use crate::common::money::CurrencyCode;
use chrono::{DateTime, Utc};
use entities::discount;
use entities::enums::DiscountKind;

/// One priced line.
#[derive(Clone, Copy, Debug)]
pub struct PricedLine {
    pub unit_price: i64,
    pub quantity: i32,
}

/// The totals of a cart or an order, in minor units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub tax: i64,
    pub total: i64,
}

/// Whether a discount code counts for a cart, and why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applicability {
    Applies,
    NotApplicable(String),
}

/// The outcome of pricing: totals and which discounts were used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Priced {
    pub totals: Totals,
    /// Per code given (same order): whether it applies.
    pub codes: Vec<(String, Applicability)>,
    /// The discounts that shaped the totals (their usage is consumed at checkout).
    pub applied: Vec<uuid::Uuid>,
}

/// Why `discount` cannot be used on a cart with `subtotal` in `currency` at `now`; `None` when
/// it can.
pub fn discount_problem(
    discount: &discount::Model,
    currency: CurrencyCode,
    subtotal: i64,
    now: DateTime<Utc>,
) -> Option<String> {
    if !discount.active {
        return Some("this code is not active".into());
    }
    if discount.starts_at.is_some_and(|start| now < start) {
        return Some("this code is not valid yet".into());
    }
    if discount.ends_at.is_some_and(|end| now >= end) {
        return Some("this code has expired".into());
    }
    if discount
        .usage_limit
        .is_some_and(|limit| discount.usage_count >= limit)
    {
        return Some("this code has been used up".into());
    }
    let in_currency = discount
        .currency_code
        .as_deref()
        .is_none_or(|code| code == currency.as_str());
    if !in_currency {
        return Some(format!(
            "this code is for {} carts",
            discount.currency_code.as_deref().unwrap_or_default()
        ));
    }
    if let Some(minimum) = discount.minimum_subtotal
        && subtotal < minimum
    {
        return Some("the cart is below this code's minimum subtotal".into());
    }
    None
}

/// Prices `lines` with the discounts named by `codes` (looked up in `discounts`).
pub fn price(
    lines: &[PricedLine],
    codes: &[String],
    discounts: &[discount::Model],
    currency: CurrencyCode,
    settings: &PricingSettings,
    now: DateTime<Utc>,
) -> Priced {
    let subtotal: i64 = lines
        .iter()
        .map(|line| line.unit_price.saturating_mul(i64::from(line.quantity)))
        .fold(0, i64::saturating_add);
    let mut amount_off = 0;
    let mut free_shipping = false;
    let mut has_amount_discount = false;
    let mut applied = Vec::new();
    let mut outcomes = Vec::with_capacity(codes.len());
    for code in codes {
        let found = discounts.iter().find(|d| d.code.eq_ignore_ascii_case(code));
        let outcome = match found {
            None => Applicability::NotApplicable("no such discount code".into()),
            Some(discount) => match discount_problem(discount, currency, subtotal, now) {
                Some(problem) => Applicability::NotApplicable(problem),
                None => match discount.kind {
                    DiscountKind::FreeShipping => {
                        free_shipping = true;
                        applied.push(discount.id);
                        Applicability::Applies
                    }
                    _ if has_amount_discount => Applicability::NotApplicable(
                        "only one amount discount applies per order".into(),
                    ),
                    DiscountKind::Percentage => {
                        has_amount_discount = true;
                        amount_off = percentage_of(subtotal, discount.value);
                        applied.push(discount.id);
                        Applicability::Applies
                    }
                    DiscountKind::FixedAmount => {
                        has_amount_discount = true;
                        amount_off = discount.value.clamp(0, subtotal);
                        applied.push(discount.id);
                        Applicability::Applies
                    }
                },
            },
        };
        outcomes.push((code.clone(), outcome));
    }
    let discount = amount_off.min(subtotal);
    let goods = subtotal - discount;
    let shipping = if lines.is_empty() || free_shipping {
        0
    } else {
        settings.shipping_for(currency, goods)
    };
    let (tax, total) = if settings.tax_inclusive {
        (
            contained_tax(goods, settings.tax_rate_bps),
            goods + shipping,
        )
    } else {
        let tax = percentage_of(goods, settings.tax_rate_bps);
        (tax, goods + shipping + tax)
    };
    Priced {
        totals: Totals {
            subtotal,
            discount,
            shipping,
            tax,
            total,
        },
        codes: outcomes,
        applied,
    }
}

/// `amount × bps / 10 000`, rounded half away from zero.
pub fn percentage_of(amount: i64, bps: i64) -> i64 {
    divide_rounding(i128::from(amount) * i128::from(bps), 10_000)
}

/// The tax contained in a tax-inclusive `gross`: gross − gross / (1 + rate), rounded.
fn contained_tax(gross: i64, bps: i64) -> i64 {
    let gross = i128::from(gross);
    let bps = i128::from(bps);
    let net = divide_rounding(gross * 10_000, 10_000 + bps);
    i64::try_from(gross).unwrap_or(i64::MAX) - net
}

fn divide_rounding(numerator: i128, denominator: i128) -> i64 {
    if denominator == 0 {
        return 0;
    }
    let half = denominator / 2;
    let rounded = if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

#[cfg(test)]
mod tests;
