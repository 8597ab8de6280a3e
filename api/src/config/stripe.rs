//! The values of the Stripe and capture settings (`STRIPE_SECRET_KEY`, `STRIPE_API_BASE`,
//! `PAYMENT_CAPTURE`), parsed into what they are used as; `commerce` holds the flags.

use super::invalid::InvalidValue;
use clap::ValueEnum;
use schema::payments::CaptureMode;
use std::fmt;
use std::str::FromStr;

/// A Stripe secret key (`sk_live_…`, `sk_test_…`) or restricted key (`rk_…`). A publishable
/// key (`pk_…`) is refused: it cannot create payments. `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct StripeKey(String);

impl StripeKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for StripeKey {
    type Err = InvalidValue;

    fn from_str(key: &str) -> Result<Self, Self::Err> {
        let key = key.trim();
        let well_formed = ["sk_", "rk_"].iter().any(|p| key.starts_with(p))
            && key.len() > 8
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !well_formed {
            return Err(InvalidValue::new(
                "expected a Stripe secret key (sk_live_…, sk_test_… or a restricted rk_… key)",
            ));
        }
        Ok(Self(key.to_owned()))
    }
}

impl fmt::Debug for StripeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StripeKey(…)")
    }
}

/// Where Stripe's API is: an `http(s)://host[:port]` origin without a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiBase(String);

impl ApiBase {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ApiBase {
    type Err = InvalidValue;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let url = url.trim().trim_end_matches('/');
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        match host {
            Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', ' ', '@']) => {
                Ok(Self(url.to_owned()))
            }
            _ => Err(InvalidValue::new(
                "expected an origin like https://api.stripe.com (no path, no credentials)",
            )),
        }
    }
}

/// `PAYMENT_CAPTURE`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// Take the money at checkout.
    Automatic,
    /// Only authorize at checkout; staff capture or void later.
    Manual,
}

impl From<Capture> for CaptureMode {
    fn from(capture: Capture) -> Self {
        match capture {
            Capture::Automatic => CaptureMode::Automatic,
            Capture::Manual => CaptureMode::Manual,
        }
    }
}
