//! Money-valued settings, parsed by the command line into the types pricing works with, so
//! a malformed amount, rate or currency stops the start with the flag's name.

use super::invalid::InvalidValue;
use schema::common::money::CurrencyCode;
use schema::pricing::settings::{parse_amounts, parse_tax_rate};
use std::collections::HashMap;
use std::str::FromStr;

/// A currency code such as `USD`, one the store can price in.
pub fn currency(text: &str) -> Result<CurrencyCode, InvalidValue> {
    text.trim().parse().map_err(|_| {
        let known: Vec<&str> = CurrencyCode::ALL.iter().map(|c| c.as_str()).collect();
        InvalidValue::new(format!(
            "unknown currency `{text}` (known: {})",
            known.join(", ")
        ))
    })
}

/// A tax rate: `8.25` (percent, at most two decimals, 0 to 100) is 825 basis points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaxRate(i64);

impl TaxRate {
    pub fn basis_points(self) -> i64 {
        self.0
    }
}

impl FromStr for TaxRate {
    type Err = InvalidValue;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_tax_rate(text).map(Self).map_err(InvalidValue::new)
    }
}

/// An amount per currency, `USD=5.00,EUR=4.50`, in minor units; empty: none listed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Amounts(HashMap<CurrencyCode, i64>);

impl Amounts {
    pub fn minor_units(&self) -> &HashMap<CurrencyCode, i64> {
        &self.0
    }
}

impl FromStr for Amounts {
    type Err = InvalidValue;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_amounts(text).map(Self).map_err(InvalidValue::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_money_settings_or_says_why_not() {
        assert_eq!(currency("eur").ok(), Some(CurrencyCode::Eur));
        assert!(currency("XXX").is_err_and(|e| e.to_string().contains("known: USD")));
        assert_eq!(
            "8.25".parse::<TaxRate>().ok().map(TaxRate::basis_points),
            Some(825)
        );
        assert!("abc".parse::<TaxRate>().is_err());
        assert!("101".parse::<TaxRate>().is_err());
        let amounts: Option<Amounts> = "USD=4.95, JPY=600".parse().ok();
        let usd = amounts
            .as_ref()
            .and_then(|a| a.minor_units().get(&CurrencyCode::Usd));
        assert_eq!(usd, Some(&495));
        assert!(
            "".parse::<Amounts>()
                .is_ok_and(|a| a.minor_units().is_empty())
        );
        assert!("USD=-1".parse::<Amounts>().is_err());
    }
}
