//! Money: amounts are integer minor units in storage and a `Decimal` string ("19.99") on the
//! wire. No floating point anywhere.

use crate::common::in_memory::InMemoryObject;
use crate::error::{ApiError, ApiResult};
use async_graphql::{
    Context, Enum, InputType, InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject,
    Value,
};
use std::fmt;
use std::str::FromStr;

/// The largest unit price (and discount amount or minimum) staff may set: one billion of the
/// currency's major unit (1,000,000,000.00 USD, 1,000,000,000 JPY). No shop sells a single
/// item for more, and it keeps every cart within its limits (100 lines of 999 units) about
/// a thousand times below the 64-bit range of minor units, so totals never come near
/// overflowing; they are computed with checked arithmetic all the same.
pub const MAX_AMOUNT_UNITS: i64 = 1_000_000_000;

/// ISO 4217 currencies the store can price in.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CurrencyCode {
    Usd,
    Eur,
    Gbp,
    Cad,
    Aud,
    Chf,
    Jpy,
    Sek,
    Nok,
    Dkk,
    Pln,
}

impl CurrencyCode {
    pub const ALL: [CurrencyCode; 11] = [
        Self::Usd,
        Self::Eur,
        Self::Gbp,
        Self::Cad,
        Self::Aud,
        Self::Chf,
        Self::Jpy,
        Self::Sek,
        Self::Nok,
        Self::Dkk,
        Self::Pln,
    ];

    /// The code as stored in the database and shown to clients.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Usd => "USD",
            Self::Eur => "EUR",
            Self::Gbp => "GBP",
            Self::Cad => "CAD",
            Self::Aud => "AUD",
            Self::Chf => "CHF",
            Self::Jpy => "JPY",
            Self::Sek => "SEK",
            Self::Nok => "NOK",
            Self::Dkk => "DKK",
            Self::Pln => "PLN",
        }
    }

    /// The largest price or other amount staff may give, in minor units:
    /// [`MAX_AMOUNT_UNITS`] of the currency's major unit.
    pub fn max_amount(self) -> i64 {
        MAX_AMOUNT_UNITS * 10_i64.pow(self.exponent())
    }

    /// Digits after the decimal point in this currency's minor unit.
    pub fn exponent(self) -> u32 {
        match self {
            Self::Jpy => 0,
            _ => 2,
        }
    }
}

impl CurrencyCode {
    /// A currency read back from the database. One that does not parse was written around the
    /// services: a fault of ours, reported as INTERNAL (logged, not shown) and never guessed.
    pub fn stored(code: &str) -> Result<Self, ApiError> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(code))
            .ok_or_else(|| {
                ApiError::Internal(format!("a stored currency code `{code}` is unknown"))
            })
    }
}

impl FromStr for CurrencyCode {
    type Err = ApiError;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(code))
            .ok_or_else(|| ApiError::bad_input(format!("unknown currency code `{code}`")))
    }
}

/// An exact decimal number, e.g. "19.99". `units` holds the digits, `scale` the count of them
/// after the point: 19.99 is `Decimal { units: 1999, scale: 2 }`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Decimal {
    units: i128,
    scale: u32,
}

const MAX_SCALE: u32 = 18;

impl Decimal {
    /// The amount of `minor` minor units of `currency`.
    pub fn from_minor(minor: i64, currency: CurrencyCode) -> Self {
        Self {
            units: i128::from(minor),
            scale: currency.exponent(),
        }
    }

    /// Converts to minor units of `currency`; fails when it has more fraction digits than the
    /// currency has (we never round silently) or does not fit.
    pub fn to_minor(self, currency: CurrencyCode) -> ApiResult<i64> {
        let exponent = currency.exponent();
        let mut units = self.units;
        let mut scale = self.scale;
        // Drop trailing zeros beyond the currency's precision ("5.000" is fine for USD).
        while scale > exponent && units % 10 == 0 {
            units /= 10;
            scale -= 1;
        }
        if scale > exponent {
            return Err(ApiError::bad_input(format!(
                "{self} has more decimal places than {} allows ({exponent})",
                currency.as_str()
            )));
        }
        let factor = 10_i128.pow(exponent - scale);
        units
            .checked_mul(factor)
            .and_then(|v| i64::try_from(v).ok())
            .ok_or_else(|| ApiError::bad_input(format!("{self} is out of range")))
    }

    /// Converts an amount staff give (a price, a discount) to minor units of `currency`:
    /// exact, and at most [`CurrencyCode::max_amount`]. The error is the message to show.
    pub fn to_bounded_minor(self, currency: CurrencyCode) -> Result<i64, String> {
        let max = currency.max_amount();
        match self.to_minor(currency) {
            Ok(minor) if minor > max => Err(format!(
                "must be at most {}",
                Decimal::from_minor(max, currency)
            )),
            Ok(minor) => Ok(minor),
            Err(err) => Err(err.to_string()),
        }
    }

    pub fn is_negative(self) -> bool {
        self.units < 0
    }
}

impl FromStr for Decimal {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || format!("`{text}` is not a decimal number like \"19.99\"");
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty()
            || !all_digits(int_part)
            || !all_digits(frac_part)
            || (digits.contains('.') && frac_part.is_empty())
        {
            return Err(invalid());
        }
        let scale = u32::try_from(frac_part.len()).map_err(|_| invalid())?;
        if scale > MAX_SCALE || int_part.len() > 18 {
            return Err(format!("`{text}` is out of range"));
        }
        let units: i128 = format!("{int_part}{frac_part}")
            .parse()
            .map_err(|_| invalid())?;
        Ok(Self {
            units: if negative { -units } else { units },
            scale,
        })
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let abs = self.units.unsigned_abs();
        if self.scale == 0 {
            return write!(f, "{sign}{abs}");
        }
        let factor = 10_u128.pow(self.scale);
        let width = self.scale as usize;
        write!(f, "{sign}{}.{:0width$}", abs / factor, abs % factor)
    }
}

/// A decimal number transported as a string, e.g. "19.99" (never a float, so no rounding).
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s.parse().map_err(InputValueError::custom),
            // Accept integers for convenience; floats are refused because they cannot be exact.
            Value::Number(n) if n.is_i64() => {
                n.to_string().parse().map_err(InputValueError::custom)
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}

/// An amount of money in one currency.
#[derive(SimpleObject, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(shareable)]
pub struct Money {
    /// The amount, e.g. "19.99".
    pub amount: Decimal,
    pub currency_code: CurrencyCode,
}

impl InMemoryObject for Money {
    fn field(&self, field: &Context<'_>) -> Option<Value> {
        Some(match field.item.node.name.node.as_str() {
            "amount" => ScalarType::to_value(&self.amount),
            "currencyCode" => self.currency_code.to_value(),
            _ => return None,
        })
    }
}

impl Money {
    pub fn from_minor(minor: i64, currency: CurrencyCode) -> Self {
        Self {
            amount: Decimal::from_minor(minor, currency),
            currency_code: currency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn formats_minor_units_per_currency() {
        assert_eq!(
            Decimal::from_minor(1999, CurrencyCode::Usd).to_string(),
            "19.99"
        );
        assert_eq!(
            Decimal::from_minor(5, CurrencyCode::Eur).to_string(),
            "0.05"
        );
        assert_eq!(
            Decimal::from_minor(-150, CurrencyCode::Usd).to_string(),
            "-1.50"
        );
        assert_eq!(
            Decimal::from_minor(1200, CurrencyCode::Jpy).to_string(),
            "1200"
        );
    }

    #[test]
    fn converts_to_minor_units_exactly() {
        assert_eq!(dec("19.99").to_minor(CurrencyCode::Usd).ok(), Some(1999));
        assert_eq!(dec("19.9").to_minor(CurrencyCode::Usd).ok(), Some(1990));
        assert_eq!(dec("20").to_minor(CurrencyCode::Usd).ok(), Some(2000));
        assert_eq!(dec("5.000").to_minor(CurrencyCode::Usd).ok(), Some(500));
        assert!(dec("19.999").to_minor(CurrencyCode::Usd).is_err());
        assert!(dec("1.5").to_minor(CurrencyCode::Jpy).is_err());
    }

    #[test]
    fn staff_amounts_are_bounded() {
        let usd = CurrencyCode::Usd;
        assert_eq!(
            dec("1000000000.00").to_bounded_minor(usd),
            Ok(100_000_000_000)
        );
        assert_eq!(
            dec("1000000000.01").to_bounded_minor(usd),
            Err("must be at most 1000000000.00".to_owned())
        );
        assert!(dec("92233720368547758.07").to_bounded_minor(usd).is_err());
        assert_eq!(
            dec("1000000000").to_bounded_minor(CurrencyCode::Jpy),
            Ok(1_000_000_000)
        );
        assert!(
            dec("1000000001")
                .to_bounded_minor(CurrencyCode::Jpy)
                .is_err()
        );
    }

    #[test]
    fn rejects_malformed_decimals() {
        for bad in [
            "",
            "abc",
            "1.",
            ".5",
            "1,5",
            "1e5",
            "--1",
            "1.2.3",
            "99999999999999999999",
        ] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad} should be rejected");
        }
    }
}
