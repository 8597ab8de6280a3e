//! `test`: a card-like provider for development and tests, answering from the token alone
//! so every path can be exercised without a network.
//!
//! | token             | checkout                                   | refunds   |
//! |-------------------|--------------------------------------------|-----------|
//! | `tok_visa`        | paid (captured, or authorized when capture is manual) | succeed |
//! | `tok_authorize`   | authorized only: staff capture or void     | succeed   |
//! | `tok_refund_fail` | paid                                       | the first is declined, later ones succeed |
//! | `tok_pending`     | pending: a webhook says how it ended       | succeed   |
//! | `tok_declined`    | declined                                   | —         |
//!
//! The behaviour travels in the payment's reference (`test_<kind>_<order>_<random>`), so a
//! later capture or refund knows what card it is about. `tok_refund_fail` is a card whose
//! issuer refuses the first refund (say, the card was replaced): the refused path and a
//! successful retry can both be exercised. What was refused is remembered in memory per
//! payment, with the idempotency key, so asking again with the same key is refused again.

use super::provider::{
    Authorized, CaptureMode, Done, Operation, Outcome, PaymentProvider, PaymentRequest,
};
use futures_util::future::BoxFuture;

#[derive(Default)]
pub struct TestProvider {
    /// Per `tok_refund_fail` payment reference: the idempotency key of its refused refund.
    refused_refunds: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// The tokens, for error messages and documentation.
pub const TOKENS: &str = "tok_visa, tok_authorize, tok_refund_fail, tok_pending or tok_declined";

const REFUNDS_FAIL: &str = "refundfail";

impl PaymentProvider for TestProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    fn authorize<'a>(&'a self, request: PaymentRequest<'a>) -> BoxFuture<'a, Outcome<Authorized>> {
        Box::pin(async move { decide(&request) })
    }

    fn capture<'a>(&'a self, operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>> {
        Box::pin(async move { answer(&operation, "capture") })
    }

    fn void<'a>(&'a self, operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>> {
        Box::pin(async move { answer(&operation, "void") })
    }

    fn refund<'a>(&'a self, operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>> {
        Box::pin(async move {
            if let Some(reference) = operation
                .reference
                .filter(|r| r.starts_with(&format!("test_{REFUNDS_FAIL}_")))
            {
                let mut refused = self
                    .refused_refunds
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                let key = refused
                    .entry(reference.to_owned())
                    .or_insert_with(|| operation.idempotency_key.clone());
                if *key == operation.idempotency_key {
                    return Outcome::Declined {
                        reason: "the card's issuer refused the refund".into(),
                    };
                }
            }
            answer(&operation, "re")
        })
    }
}

fn reference(kind: &str, request: &PaymentRequest<'_>) -> String {
    format!(
        "test_{kind}_{}_{}",
        request.order_number,
        uuid::Uuid::new_v4().simple()
    )
}

fn decide(request: &PaymentRequest<'_>) -> Outcome<Authorized> {
    let paid = |kind: &str, captured: bool| {
        Outcome::Succeeded(Authorized {
            reference: reference(kind, request),
            captured,
        })
    };
    match request.token {
        Some("tok_visa") => paid("visa", request.capture == CaptureMode::Automatic),
        Some("tok_authorize") => paid("authorize", false),
        Some("tok_refund_fail") => paid(REFUNDS_FAIL, request.capture == CaptureMode::Automatic),
        // Like a card needing 3-D Secure: the outcome arrives later by webhook.
        Some("tok_pending") => Outcome::Pending {
            reference: Some(format!("test_{}_pending", request.order_number)),
            next_action: None,
        },
        Some("tok_declined") => Outcome::Declined {
            reason: "the card was declined".into(),
        },
        _ => Outcome::Declined {
            reason: format!("the card token is not valid (use {TOKENS})"),
        },
    }
}

/// A capture, void or refund of a test payment: it needs the reference checkout stored.
fn answer(operation: &Operation<'_>, kind: &str) -> Outcome<Done> {
    match operation.reference {
        Some(_) => Outcome::Succeeded(Done {
            reference: Some(format!("test_{kind}_{}", uuid::Uuid::new_v4().simple())),
        }),
        None => Outcome::Declined {
            reason: "the payment has no reference at the provider".into(),
        },
    }
}
