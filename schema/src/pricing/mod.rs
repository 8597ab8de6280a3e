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
//! - Shipping: the chosen method's price in the cart's currency (with no shipping zones
//!   configured, the built-in flat rate), free when the discounted subtotal reaches the
//!   method's free-above threshold or a free-shipping code applies; nothing for an empty cart
//!   or before a method is chosen.
//! - Tax on goods after discounts (shipping untaxed) at the configured rate. Exclusive (the
//!   default): added to the total. Inclusive: prices already contain it; `taxTotal` reports
//!   the contained part and the total does not change.

pub mod settings;

pub use settings::{PricingSettings, ShippingCharge};

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

/// A discount that shaped the totals, and what it took off (minor units; for free
/// shipping, the shipping it waived). Checkout records these on the order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedDiscount {
    pub id: uuid::Uuid,
    pub code: String,
    pub kind: DiscountKind,
    pub amount: i64,
}

/// The outcome of pricing: totals and which discounts were used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Priced {
    /// All zero when `out_of_range`: a total is never shown saturated.
    pub totals: Totals,
    /// Per code given (same order): whether it applies.
    pub codes: Vec<(String, Applicability)>,
    /// The discounts that shaped the totals (their usage is consumed at checkout).
    pub applied: Vec<AppliedDiscount>,
    /// Some total does not fit in a 64-bit count of minor units: the cart cannot be
    /// changed into this state nor checked out.
    pub out_of_range: bool,
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

/// Prices `lines` with the discounts named by `codes` (looked up in `discounts`) and the
/// chosen way of shipping (`None`: none chosen yet, nothing charged). Every sum and product
/// is checked: totals that do not fit are reported as `out_of_range`, never saturated.
pub fn price(
    lines: &[PricedLine],
    codes: &[String],
    discounts: &[discount::Model],
    currency: CurrencyCode,
    shipping: Option<ShippingCharge>,
    settings: &PricingSettings,
    now: DateTime<Utc>,
) -> Priced {
    let subtotal = lines.iter().try_fold(0_i64, |sum, line| {
        line.unit_price
            .checked_mul(i64::from(line.quantity))
            .and_then(|line_total| sum.checked_add(line_total))
    });
    let Some(subtotal) = subtotal else {
        return out_of_range(codes);
    };
    let mut amount_off = 0;
    let mut free_shipping = None;
    let mut amount_discount = None;
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
                        // A code named twice is used once.
                        if !applied
                            .iter()
                            .any(|a: &&discount::Model| a.id == discount.id)
                        {
                            free_shipping.get_or_insert(applied.len());
                            applied.push(discount);
                        }
                        Applicability::Applies
                    }
                    _ if amount_discount.is_some() => Applicability::NotApplicable(
                        "only one amount discount applies per order".into(),
                    ),
                    DiscountKind::Percentage => {
                        amount_discount = Some(applied.len());
                        amount_off = percentage_of(subtotal, discount.value);
                        applied.push(discount);
                        Applicability::Applies
                    }
                    DiscountKind::FixedAmount => {
                        amount_discount = Some(applied.len());
                        amount_off = discount.value.clamp(0, subtotal);
                        applied.push(discount);
                        Applicability::Applies
                    }
                },
            },
        };
        outcomes.push((code.clone(), outcome));
    }
    let discount = amount_off.clamp(0, subtotal);
    let goods = subtotal - discount;
    let shipping_due = match shipping {
        Some(charge) if !lines.is_empty() => charge.due(goods),
        _ => 0,
    };
    let shipping = if free_shipping.is_some() {
        0
    } else {
        shipping_due
    };
    let (tax, total) = if settings.tax_inclusive {
        (
            contained_tax(goods, settings.tax_rate_bps),
            goods.checked_add(shipping),
        )
    } else {
        let tax = percentage_of(goods, settings.tax_rate_bps);
        (
            tax,
            goods.checked_add(shipping).and_then(|t| t.checked_add(tax)),
        )
    };
    // Percentages (tax, discounts) are at most 100 % of `goods`, so only the sums can overflow.
    let Some(total) = total else {
        return out_of_range(codes);
    };
    // Only the first free-shipping code waived the shipping; later ones took nothing off.
    let applied = applied
        .into_iter()
        .enumerate()
        .map(|(index, d)| AppliedDiscount {
            id: d.id,
            code: d.code.clone(),
            kind: d.kind,
            amount: if Some(index) == amount_discount {
                discount
            } else if Some(index) == free_shipping {
                shipping_due
            } else {
                0
            },
        })
        .collect();
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
        out_of_range: false,
    }
}

/// The pricing of a cart whose totals do not fit: nothing applies, every total is zero.
fn out_of_range(codes: &[String]) -> Priced {
    let reason = || Applicability::NotApplicable("the cart's total is out of range".into());
    Priced {
        totals: Totals::default(),
        codes: codes.iter().map(|c| (c.clone(), reason())).collect(),
        applied: Vec::new(),
        out_of_range: true,
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
