//! The parts of Stripe's objects we read, as its API reference describes them. Every field
//! but the id is optional or defaulted: Stripe adds fields freely, and an answer missing one we
//! do not need must still be understood.

use serde::Deserialize;
use std::collections::HashMap;

/// A PaymentIntent (`pi_…`): one attempt to be paid for one order.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    /// `requires_payment_method`, `requires_confirmation`, `requires_action`, `processing`,
    /// `requires_capture`, `canceled` or `succeeded`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub next_action: Option<NextAction>,
    #[serde(default)]
    pub last_payment_error: Option<ErrorObject>,
    #[serde(default)]
    pub cancellation_reason: Option<String>,
    #[serde(default)]
    pub amount_received: i64,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NextAction {
    /// `use_stripe_sdk`, `redirect_to_url`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub redirect_to_url: Option<RedirectToUrl>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct RedirectToUrl {
    #[serde(default)]
    pub url: Option<String>,
}

/// A Refund (`re_…`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Refund {
    pub id: String,
    /// `pending`, `requires_action`, `succeeded`, `failed` or `canceled`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

/// A Charge (`ch_…`), as `charge.refunded` carries it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Charge {
    #[serde(default)]
    pub metadata: HashMap<String, String>,
    #[serde(default)]
    pub refunds: Option<List<Refund>>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct List<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}

/// `{"error": {…}}`, the body of every non-2xx answer.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub error: ErrorObject,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ErrorObject {
    /// `card_error`, `invalid_request_error`, `idempotency_error`, `api_error`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub decline_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}
