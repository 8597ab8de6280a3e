//! Allowances: how many times a client (or a cart) may do something per fixed window.
//!
//! The HTTP rate limiter, websocket operations, sign-ins and discount-code attempts all count
//! through one [`Budgets`] store, so a client has one budget whichever transport it uses. The
//! store lives in the server (`api/src/rate_limit.rs`: in process, or in Redis shared by the
//! replicas); the schema reaches it through `AppState::budgets`.

use crate::error::{ApiError, ApiResult};
use futures_util::future::BoxFuture;
use std::time::Duration;

/// What is being counted; each allowance has its own limit and window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Allowance {
    /// Every GraphQL request (HTTP) or operation (websocket) of a client.
    Requests,
    /// Password checks (`tokenCreate` fields) of a client.
    SignIns,
    /// Discount codes a client tries, over all its carts.
    CodesPerClient,
    /// Discount codes tried on one cart, whoever tries them.
    CodesPerCart,
    /// Back-in-stock subscriptions a client asks for (each may send an email later).
    BackInStock,
    /// Password-reset requests a client makes, whatever the addresses.
    PasswordResetsPerClient,
    /// Password-reset mails to one address (the subject is a hash of the address, so the
    /// counter's key does not hold it), whoever asks.
    PasswordResetsPerEmail,
}

impl Allowance {
    /// The allowance's part of a counter's key.
    pub fn name(self) -> &'static str {
        match self {
            Self::Requests => "requests",
            Self::SignIns => "sign-ins",
            Self::CodesPerClient => "codes",
            Self::CodesPerCart => "cart-codes",
            Self::BackInStock => "back-in-stock",
            Self::PasswordResetsPerClient => "password-resets",
            Self::PasswordResetsPerEmail => "password-reset-mails",
        }
    }
}

/// Who a use is counted against: an account (`account:<id>`) or an address (`ip:<address>`),
/// as the HTTP rate limiter tells clients apart.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientId(String);

impl ClientId {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The outcome of counting a use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Until the current window ends.
    pub reset_after: Duration,
}

impl Verdict {
    /// Whole seconds until a fresh window, rounded up: a client that waits that long finds one.
    pub fn retry_after_secs(&self) -> u64 {
        self.reset_after.as_secs() + u64::from(self.reset_after.subsec_nanos() > 0)
    }
}

/// Where allowances are counted.
pub trait Budgets: Send + Sync {
    /// Counts `amount` uses of `allowance` by `subject`. `None` when the allowance is off, or
    /// its store failed: an unavailable counter lets the use through rather than refuse it.
    fn spend<'a>(
        &'a self,
        allowance: Allowance,
        subject: &'a str,
        amount: u32,
    ) -> BoxFuture<'a, Option<Verdict>>;
}

/// Spends `amount` of `client`'s `allowance`, or refuses with `RATE_LIMITED` once it is spent.
/// Requests that no client is known for (none come through the server) are not counted.
pub async fn require(
    budgets: &dyn Budgets,
    allowance: Allowance,
    client: Option<&ClientId>,
    amount: u32,
) -> ApiResult<()> {
    let Some(client) = client else {
        return Ok(());
    };
    match budgets.spend(allowance, client.as_str(), amount).await {
        Some(verdict) if !verdict.allowed => Err(ApiError::RateLimited {
            what: allowance_label(allowance),
            limit: verdict.limit,
            retry_after_secs: verdict.retry_after_secs(),
        }),
        _ => Ok(()),
    }
}

/// How a refusal names what was spent.
fn allowance_label(allowance: Allowance) -> &'static str {
    match allowance {
        Allowance::Requests => "requests",
        Allowance::SignIns => "sign-in attempts",
        Allowance::CodesPerClient | Allowance::CodesPerCart => "discount code attempts",
        Allowance::BackInStock => "back-in-stock subscriptions",
        Allowance::PasswordResetsPerClient | Allowance::PasswordResetsPerEmail => {
            "password-reset requests"
        }
    }
}
