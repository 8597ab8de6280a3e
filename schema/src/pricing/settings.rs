//! Shipping and tax configuration (from the server's settings).

use crate::common::money::{CurrencyCode, Decimal};
use std::collections::HashMap;

/// `Default`: 5.00 flat shipping, free from 50.00, no tax.
#[derive(Clone, Debug, Default)]
pub struct PricingSettings {
    /// Flat shipping rate per currency, in minor units; currencies not listed use
    /// `default_shipping` (5.00 in the currency's units).
    pub shipping_rates: HashMap<CurrencyCode, i64>,
    /// Shipping is free once the discounted subtotal reaches this (per currency); currencies
    /// not listed use 50.00.
    pub free_shipping_over: HashMap<CurrencyCode, i64>,
    /// Tax rate in basis points (825 = 8.25 %).
    pub tax_rate_bps: i64,
    /// Whether catalog prices already include tax.
    pub tax_inclusive: bool,
}

impl PricingSettings {
    /// The built-in flat rate in `currency`: what shipping costs when no shipping zones are
    /// configured.
    pub fn flat_rate(&self, currency: CurrencyCode) -> ShippingCharge {
        let units = 10_i64.pow(currency.exponent());
        ShippingCharge {
            price: self
                .shipping_rates
                .get(&currency)
                .copied()
                .unwrap_or(5 * units),
            free_above: Some(
                self.free_shipping_over
                    .get(&currency)
                    .copied()
                    .unwrap_or(50 * units),
            ),
        }
    }
}

/// What one way of shipping costs in one currency, in minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShippingCharge {
    pub price: i64,
    /// Free once the goods (after discounts) reach this; `None`: never free.
    pub free_above: Option<i64>,
}

impl ShippingCharge {
    /// The charge for goods worth `goods` (after discounts).
    pub fn due(self, goods: i64) -> i64 {
        match self.free_above {
            Some(threshold) if goods >= threshold => 0,
            _ => self.price,
        }
    }
}

/// Parses `USD=5.00,EUR=4.50` into minor units per currency.
pub fn parse_amounts(text: &str) -> Result<HashMap<CurrencyCode, i64>, String> {
    let mut amounts = HashMap::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (code, amount) = entry
            .split_once('=')
            .ok_or_else(|| format!("`{entry}`: expected CURRENCY=AMOUNT, e.g. USD=5.00"))?;
        let currency: CurrencyCode = code.trim().parse().map_err(|e| format!("{e}"))?;
        let amount: Decimal = amount
            .trim()
            .parse()
            .map_err(|e| format!("`{entry}`: {e}"))?;
        let minor = amount
            .to_minor(currency)
            .map_err(|e| format!("`{entry}`: {e}"))?;
        if minor < 0 {
            return Err(format!("`{entry}`: amounts cannot be negative"));
        }
        amounts.insert(currency, minor);
    }
    Ok(amounts)
}

/// Parses a tax rate in percent (`8.25`) into basis points.
pub fn parse_tax_rate(text: &str) -> Result<i64, String> {
    let rate: Decimal = text
        .trim()
        .parse()
        .map_err(|e| format!("TAX_RATE `{text}`: {e}"))?;
    // Percent with up to two decimals is basis points: 8.25 % = 825 bp. USD has exponent 2.
    let bps = rate
        .to_minor(CurrencyCode::Usd)
        .map_err(|_| format!("TAX_RATE `{text}`: at most two decimals (e.g. 8.25)"))?;
    if !(0..=10_000).contains(&bps) {
        return Err(format!("TAX_RATE `{text}`: must be between 0 and 100"));
    }
    Ok(bps)
}
