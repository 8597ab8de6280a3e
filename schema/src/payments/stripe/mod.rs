//! `stripe`: cards and wallets through Stripe's PaymentIntents API (plain HTTPS, no SDK).
//!
//! Checkout creates and confirms a PaymentIntent with the PaymentMethod the storefront made
//! (Stripe.js, `pm_…`), tagged with our order and payment ids as metadata so that Stripe's
//! webhooks (`events`) name our order even when they arrive before checkout hears the answer.
//! Every call carries the operation's idempotency key: checkout's retry of a failed call, or
//! a repeated capture or refund, is replayed by Stripe rather than done twice.

mod amounts;
mod api;
pub mod events;
mod objects;

pub use amounts::AmountError;

use super::provider::{
    Authorized, CaptureMode, Done, NextAction, Operation, Outcome, PaymentProvider, PaymentRequest,
};
use api::{Api, CallError, Params};
use futures_util::future::BoxFuture;
use objects::{PaymentIntent, Refund};
use std::fmt;
use std::time::Duration;

/// The provider's name (`payment: { provider: "stripe" }`, `/webhooks/payments/stripe`).
pub const NAME: &str = "stripe";

/// Where the real API is.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// How long one call may take before it counts as failed (and may be retried with its key).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct StripeSettings {
    /// `sk_live_…`/`sk_test_…` (or a restricted `rk_…` key).
    pub secret_key: String,
    /// [`DEFAULT_API_BASE`] in production; tests point it at a stand-in.
    pub api_base: String,
    pub timeout: Duration,
}

impl StripeSettings {
    pub fn new(secret_key: impl Into<String>) -> Self {
        Self {
            secret_key: secret_key.into(),
            api_base: DEFAULT_API_BASE.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl fmt::Debug for StripeSettings {
    /// Never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeSettings")
            .field("api_base", &self.api_base)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the Stripe HTTP client could not be built: {0}")]
pub struct ClientError(#[from] reqwest::Error);

#[derive(Debug)]
pub struct StripeProvider {
    api: Api,
}

impl StripeProvider {
    pub fn new(settings: &StripeSettings) -> Result<Self, ClientError> {
        Ok(Self {
            api: Api::new(&settings.api_base, &settings.secret_key, settings.timeout)?,
        })
    }

    async fn create_intent(&self, request: &PaymentRequest<'_>) -> Outcome<Authorized> {
        let Some(payment_method) = request.token.map(str::trim).filter(|t| !t.is_empty()) else {
            return declined(
                "no payment method was given: pass the PaymentMethod id (pm_…) from Stripe.js as the token",
            );
        };
        if !is_stripe_id(payment_method, "pm_") {
            return declined("the token is not a Stripe PaymentMethod id (pm_…)");
        }
        let amount = match amounts::to_stripe(request.amount, request.currency) {
            Ok(amount) => amount,
            Err(err) => return declined(&err.to_string()),
        };
        let capture = match request.capture {
            CaptureMode::Automatic => "automatic",
            CaptureMode::Manual => "manual",
        };
        let params: Params = vec![
            ("amount", amount.to_string()),
            ("currency", amounts::stripe_code(request.currency)),
            ("payment_method", payment_method.to_owned()),
            ("confirm", "true".into()),
            ("capture_method", capture.into()),
            // Cards and wallets confirm here; methods that need a redirect back to the shop
            // would need a return URL this API does not have.
            ("automatic_payment_methods[enabled]", "true".into()),
            ("automatic_payment_methods[allow_redirects]", "never".into()),
            ("metadata[order_id]", request.order_id.to_string()),
            ("metadata[payment_id]", request.payment_id.to_string()),
            ("metadata[order_number]", request.order_number.to_string()),
        ];
        let answer = self
            .api
            .post::<PaymentIntent>("/v1/payment_intents", &params, &request.idempotency_key)
            .await;
        match answer {
            Ok(intent) => started(intent),
            // Stripe took it; its webhook will say how it ended.
            Err(CallError::Unreadable(_)) => Outcome::Pending {
                reference: None,
                next_action: None,
            },
            Err(err) => refused(err),
        }
    }

    async fn capture_intent(&self, operation: &Operation<'_>) -> Outcome<Done> {
        let (reference, amount) = match intent_and_amount(operation) {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        let params: Params = vec![("amount_to_capture", amount.to_string())];
        let path = format!("/v1/payment_intents/{reference}/capture");
        match self
            .api
            .post::<PaymentIntent>(&path, &params, &operation.idempotency_key)
            .await
        {
            Ok(intent) => settled(&intent, "succeeded", "the capture"),
            Err(err) => refused_operation(err),
        }
    }

    async fn cancel_intent(&self, operation: &Operation<'_>) -> Outcome<Done> {
        let reference = match intent_reference(operation) {
            Ok(reference) => reference,
            Err(outcome) => return outcome,
        };
        let path = format!("/v1/payment_intents/{reference}/cancel");
        match self
            .api
            .post::<PaymentIntent>(&path, &Params::new(), &operation.idempotency_key)
            .await
        {
            Ok(intent) => settled(&intent, "canceled", "the void"),
            Err(err) => refused_operation(err),
        }
    }

    async fn create_refund(&self, operation: &Operation<'_>) -> Outcome<Done> {
        let (reference, amount) = match intent_and_amount(operation) {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        // Our order and refund travel as metadata, so the refund's webhooks name them
        // however Stripe reports it (`charge.refunded`, `charge.refund.updated`).
        let mut params: Params = vec![
            ("payment_intent", reference.to_owned()),
            ("amount", amount.to_string()),
            ("metadata[order_id]", operation.order_id.to_string()),
        ];
        if let Some(refund_id) = operation.refund_id {
            params.push(("metadata[refund_id]", refund_id.to_string()));
        }
        match self
            .api
            .post::<Refund>("/v1/refunds", &params, &operation.idempotency_key)
            .await
        {
            Ok(refund) => refund_outcome(refund),
            Err(err) => refused_operation(err),
        }
    }
}

impl PaymentProvider for StripeProvider {
    fn name(&self) -> &'static str {
        NAME
    }

    fn authorize<'a>(&'a self, request: PaymentRequest<'a>) -> BoxFuture<'a, Outcome<Authorized>> {
        Box::pin(async move { self.create_intent(&request).await })
    }

    fn capture<'a>(&'a self, operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>> {
        Box::pin(async move { self.capture_intent(&operation).await })
    }

    fn void<'a>(&'a self, operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>> {
        Box::pin(async move { self.cancel_intent(&operation).await })
    }

    fn refund<'a>(&'a self, operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>> {
        Box::pin(async move { self.create_refund(&operation).await })
    }
}

/// A Stripe id with `prefix`: it goes into URL paths, so nothing but letters, digits and `_`.
fn is_stripe_id(id: &str, prefix: &str) -> bool {
    id.len() <= 255
        && id.len() > prefix.len()
        && id.starts_with(prefix)
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The PaymentIntent an operation is about and its amount in Stripe's units, or the answer
/// when either is unusable.
fn intent_and_amount<'a>(operation: &Operation<'a>) -> Result<(&'a str, i64), Outcome<Done>> {
    let reference = intent_reference(operation)?;
    let amount = amounts::to_stripe(operation.amount, operation.currency)
        .map_err(|err| declined(&err.to_string()))?;
    Ok((reference, amount))
}

/// The PaymentIntent an operation is about, or the answer when there is none.
fn intent_reference<'a>(operation: &Operation<'a>) -> Result<&'a str, Outcome<Done>> {
    match operation.reference {
        Some(reference) if is_stripe_id(reference, "pi_") => Ok(reference),
        Some(_) => Err(declined(
            "the payment's reference is not a Stripe PaymentIntent",
        )),
        None => Err(declined("the payment has no reference at Stripe")),
    }
}

fn declined<T>(reason: &str) -> Outcome<T> {
    Outcome::Declined {
        reason: reason.to_owned(),
    }
}

/// A created (and confirmed) PaymentIntent, by its status.
fn started(intent: PaymentIntent) -> Outcome<Authorized> {
    let succeeded = |captured| {
        Outcome::Succeeded(Authorized {
            reference: intent.id.clone(),
            captured,
        })
    };
    match intent.status.as_str() {
        "succeeded" => succeeded(true),
        "requires_capture" => succeeded(false),
        "requires_action" => {
            let next_action = intent.next_action.as_ref().map(|action| NextAction {
                kind: action.kind.clone(),
                client_secret: intent.client_secret.clone(),
                redirect_url: action.redirect_to_url.as_ref().and_then(|r| r.url.clone()),
            });
            Outcome::Pending {
                reference: Some(intent.id.clone()),
                next_action,
            }
        }
        "requires_payment_method" => declined(
            intent
                .last_payment_error
                .as_ref()
                .and_then(|e| e.message.as_deref())
                .unwrap_or("the payment method was declined"),
        ),
        "canceled" => declined("the payment was canceled at Stripe"),
        // `processing`, and anything Stripe adds later: its webhook will say.
        other => {
            if other != "processing" {
                tracing::warn!(intent = %intent.id, status = other, "unexpected PaymentIntent status; waiting for its webhook");
            }
            Outcome::Pending {
                reference: Some(intent.id.clone()),
                next_action: None,
            }
        }
    }
}

/// A capture or cancel answer: done when the intent reached `done`.
fn settled(intent: &PaymentIntent, done: &str, what: &str) -> Outcome<Done> {
    match intent.status.as_str() {
        status if status == done => Outcome::Succeeded(Done {
            reference: Some(intent.id.clone()),
        }),
        "processing" => Outcome::Pending {
            reference: Some(intent.id.clone()),
            next_action: None,
        },
        status => declined(&format!(
            "{what} left the payment {}",
            status.replace('_', " ")
        )),
    }
}

fn refund_outcome(refund: Refund) -> Outcome<Done> {
    match refund.status.as_str() {
        "succeeded" => Outcome::Succeeded(Done {
            reference: Some(refund.id),
        }),
        "failed" | "canceled" => declined(&format!(
            "the refund {}: {}",
            refund.status,
            refund
                .failure_reason
                .as_deref()
                .unwrap_or("no reason given")
                .replace('_', " ")
        )),
        // `pending`, `requires_action`: a webhook settles it.
        _ => Outcome::Pending {
            reference: Some(refund.id),
            next_action: None,
        },
    }
}

/// A refused call at checkout.
fn refused(err: CallError) -> Outcome<Authorized> {
    match err {
        CallError::Transient(reason) => Outcome::Failed { reason },
        other => declined(&other.reason()),
    }
}

/// A refused capture, void or refund. An unreadable 2xx means Stripe did it: pending, for
/// its webhook (or staff) to settle.
fn refused_operation(err: CallError) -> Outcome<Done> {
    match err {
        CallError::Transient(reason) => Outcome::Failed { reason },
        CallError::Unreadable(_) => Outcome::Pending {
            reference: None,
            next_action: None,
        },
        other => declined(&other.reason()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(status: &str) -> PaymentIntent {
        PaymentIntent {
            id: "pi_1".into(),
            status: status.into(),
            ..PaymentIntent::default()
        }
    }

    #[test]
    fn intent_statuses_become_outcomes() {
        let paid = |captured| {
            Outcome::Succeeded(Authorized {
                reference: "pi_1".into(),
                captured,
            })
        };
        assert_eq!(started(intent("succeeded")), paid(true));
        assert_eq!(started(intent("requires_capture")), paid(false));
        assert!(matches!(
            started(intent("processing")),
            Outcome::Pending { reference: Some(r), next_action: None } if r == "pi_1"
        ));
        assert!(matches!(
            started(intent("requires_payment_method")),
            Outcome::Declined { .. }
        ));
        assert!(matches!(
            started(intent("canceled")),
            Outcome::Declined { .. }
        ));
    }

    #[test]
    fn an_intent_needing_the_customer_carries_its_next_action() {
        let mut waiting = intent("requires_action");
        waiting.client_secret = Some("pi_1_secret_x".into());
        waiting.next_action = Some(objects::NextAction {
            kind: "redirect_to_url".into(),
            redirect_to_url: Some(objects::RedirectToUrl {
                url: Some("https://bank.example/3ds".into()),
            }),
        });
        assert_eq!(
            started(waiting),
            Outcome::Pending {
                reference: Some("pi_1".into()),
                next_action: Some(NextAction {
                    kind: "redirect_to_url".into(),
                    client_secret: Some("pi_1_secret_x".into()),
                    redirect_url: Some("https://bank.example/3ds".into()),
                }),
            }
        );
    }

    #[test]
    fn refund_statuses_become_outcomes() {
        let refund = |status: &str| Refund {
            id: "re_1".into(),
            status: status.into(),
            failure_reason: Some("expired_or_canceled_card".into()),
            ..Refund::default()
        };
        assert_eq!(
            refund_outcome(refund("succeeded")),
            Outcome::Succeeded(Done {
                reference: Some("re_1".into())
            })
        );
        assert_eq!(
            refund_outcome(refund("failed")),
            declined("the refund failed: expired or canceled card")
        );
        assert!(matches!(
            refund_outcome(refund("pending")),
            Outcome::Pending { .. }
        ));
    }

    #[test]
    fn only_plain_stripe_ids_reach_a_url() {
        assert!(is_stripe_id("pi_3Mtw", "pi_"));
        for bad in ["pi_", "pi_1/../refunds", "ch_1", "pi_1?x=1", ""] {
            assert!(!is_stripe_id(bad, "pi_"), "{bad}");
        }
        let operation = |reference| Operation {
            order_id: uuid::Uuid::nil(),
            refund_id: None,
            reference,
            amount: 100,
            currency: crate::common::money::CurrencyCode::Usd,
            idempotency_key: "k".into(),
        };
        assert!(intent_reference(&operation(None)).is_err());
        assert!(intent_reference(&operation(Some("test_visa_1"))).is_err());
        assert_eq!(intent_reference(&operation(Some("pi_1"))), Ok("pi_1"));
    }

    #[test]
    fn transient_failures_may_be_retried_and_others_not() {
        assert!(matches!(
            refused(CallError::Transient("503".into())),
            Outcome::Failed { .. }
        ));
        assert_eq!(
            refused(CallError::Card {
                message: "Your card was declined.".into()
            }),
            declined("Your card was declined.")
        );
        assert!(matches!(
            refused_operation(CallError::Unreadable("?".into())),
            Outcome::Pending { .. }
        ));
    }
}
