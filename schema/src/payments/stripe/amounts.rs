//! Our minor units ↔ Stripe's "smallest currency unit".
//!
//! Stripe counts most currencies in hundredths, some in whole units (JPY, KRW, …: its
//! "zero-decimal" list) and a few in thousandths. Ours follow ISO 4217 through
//! [`CurrencyCode::exponent`]. The two agree for every currency we price in today (a test
//! checks it), but the conversion is written out all the same: a currency added to
//! `CurrencyCode` later must not be charged a hundred times too much. An amount that would not
//! convert exactly is refused, never rounded.

use crate::common::money::CurrencyCode;

/// Currencies Stripe counts in whole units (its published zero-decimal list).
const ZERO_DECIMAL: [&str; 16] = [
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];
/// Currencies Stripe counts in thousandths.
const THREE_DECIMAL: [&str; 5] = ["bhd", "jod", "kwd", "omr", "tnd"];

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("{amount} in {currency} cannot be expressed exactly in Stripe's unit")]
    Inexact { amount: i64, currency: &'static str },
    #[error("an amount in {0} is out of range")]
    OutOfRange(&'static str),
    #[error("a negative amount cannot be sent to Stripe")]
    Negative,
    #[error("`{0}` is not a currency this store prices in")]
    UnknownCurrency(String),
}

/// Stripe's code for `currency` (lowercase ISO 4217).
pub fn stripe_code(currency: CurrencyCode) -> String {
    currency.as_str().to_ascii_lowercase()
}

/// Digits after the point in Stripe's unit for the (lowercase) currency `code`.
pub fn stripe_exponent(code: &str) -> u32 {
    if ZERO_DECIMAL.contains(&code) {
        0
    } else if THREE_DECIMAL.contains(&code) {
        3
    } else {
        2
    }
}

/// Our `minor` units of `currency` in Stripe's unit.
pub fn to_stripe(minor: i64, currency: CurrencyCode) -> Result<i64, AmountError> {
    if minor < 0 {
        return Err(AmountError::Negative);
    }
    rescale(
        minor,
        currency.exponent(),
        stripe_exponent(&stripe_code(currency)),
        currency,
    )
}

/// An amount Stripe reports in `code` (e.g. `"jpy"`), in our minor units of that currency.
pub fn from_stripe(amount: i64, code: &str) -> Result<(i64, CurrencyCode), AmountError> {
    let currency = CurrencyCode::ALL
        .into_iter()
        .find(|c| c.as_str().eq_ignore_ascii_case(code))
        .ok_or_else(|| AmountError::UnknownCurrency(code.to_owned()))?;
    if amount < 0 {
        return Err(AmountError::Negative);
    }
    let stripe = stripe_exponent(&stripe_code(currency));
    Ok((
        rescale(amount, stripe, currency.exponent(), currency)?,
        currency,
    ))
}

/// `amount` with `from` fraction digits as one with `to`, exactly.
fn rescale(amount: i64, from: u32, to: u32, currency: CurrencyCode) -> Result<i64, AmountError> {
    let out_of_range = || AmountError::OutOfRange(currency.as_str());
    if to >= from {
        let factor = 10_i64.checked_pow(to - from).ok_or_else(out_of_range)?;
        amount.checked_mul(factor).ok_or_else(out_of_range)
    } else {
        let factor = 10_i64.checked_pow(from - to).ok_or_else(out_of_range)?;
        if amount % factor != 0 {
            return Err(AmountError::Inexact {
                amount,
                currency: currency.as_str(),
            });
        }
        Ok(amount / factor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_exponents_agree_with_stripes_for_every_currency() {
        for currency in CurrencyCode::ALL {
            assert_eq!(
                currency.exponent(),
                stripe_exponent(&stripe_code(currency)),
                "{}",
                currency.as_str()
            );
        }
    }

    #[test]
    fn yen_are_whole_and_dollars_and_euros_are_cents() {
        assert_eq!(stripe_code(CurrencyCode::Jpy), "jpy");
        assert_eq!(to_stripe(1_205, CurrencyCode::Jpy), Ok(1_205));
        assert_eq!(to_stripe(1_999, CurrencyCode::Usd), Ok(1_999));
        assert_eq!(to_stripe(450, CurrencyCode::Eur), Ok(450));
        assert_eq!(from_stripe(1_205, "jpy"), Ok((1_205, CurrencyCode::Jpy)));
        assert_eq!(from_stripe(1_999, "usd"), Ok((1_999, CurrencyCode::Usd)));
        assert_eq!(from_stripe(450, "EUR"), Ok((450, CurrencyCode::Eur)));
    }

    #[test]
    fn every_amount_round_trips() {
        for currency in CurrencyCode::ALL {
            for minor in [0, 1, 99, 1_000_000_007, currency.max_amount()] {
                let sent = to_stripe(minor, currency);
                let back = sent
                    .clone()
                    .and_then(|s| from_stripe(s, &stripe_code(currency)));
                assert_eq!(back, Ok((minor, currency)), "{minor} {}", currency.as_str());
            }
        }
    }

    #[test]
    fn what_would_not_round_trip_is_refused() {
        // A currency whose units differ: thousandths to hundredths must be exact.
        assert_eq!(rescale(12_340, 3, 2, CurrencyCode::Usd), Ok(1_234));
        assert!(matches!(
            rescale(12_345, 3, 2, CurrencyCode::Usd),
            Err(AmountError::Inexact { .. })
        ));
        assert_eq!(
            rescale(i64::MAX, 2, 3, CurrencyCode::Usd),
            Err(AmountError::OutOfRange("USD"))
        );
        assert_eq!(to_stripe(-1, CurrencyCode::Usd), Err(AmountError::Negative));
        assert_eq!(from_stripe(-1, "usd"), Err(AmountError::Negative));
        assert_eq!(
            from_stripe(100, "krw"),
            Err(AmountError::UnknownCurrency("krw".into()))
        );
        assert_eq!(stripe_exponent("kwd"), 3);
        assert_eq!(stripe_exponent("krw"), 0);
    }
}
