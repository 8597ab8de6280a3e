//! `manual`: payment outside the system (bank transfer, cash on delivery). Nothing is
//! charged at checkout: the order waits for staff (`orderMarkPaid`). Captures, voids and
//! refunds are records of what staff did outside, so they succeed at once.

use super::provider::{Authorized, Done, Operation, Outcome, PaymentProvider, PaymentRequest};
use futures_util::future::BoxFuture;

pub struct ManualProvider;

impl PaymentProvider for ManualProvider {
    fn name(&self) -> &'static str {
        "manual"
    }

    /// Staff record manual payments; nobody outside may.
    fn takes_webhooks(&self) -> bool {
        false
    }

    fn authorize<'a>(&'a self, _request: PaymentRequest<'a>) -> BoxFuture<'a, Outcome<Authorized>> {
        Box::pin(async {
            Outcome::Pending {
                reference: None,
                next_action: None,
            }
        })
    }

    fn capture<'a>(&'a self, _operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>> {
        Box::pin(async { Outcome::Succeeded(Done { reference: None }) })
    }

    fn void<'a>(&'a self, _operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>> {
        Box::pin(async { Outcome::Succeeded(Done { reference: None }) })
    }

    fn refund<'a>(&'a self, _operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>> {
        Box::pin(async { Outcome::Succeeded(Done { reference: None }) })
    }
}
