//! `POST /webhooks/payments/stripe`: Stripe's events, as Stripe sends them.
//!
//! The `Stripe-Signature` header (`t=…,v1=…`, HMAC-SHA256 over `"<t>.<raw body>"` with the
//! endpoint's signing secret, STRIPE_WEBHOOK_SECRET) is checked like our own scheme, by the
//! same function: a bad, missing or stale one is 401 and changes nothing. The event becomes
//! our notifications (`schema::payments::stripe::events`) and each is handled like any
//! provider's. Stripe retries anything but a 2xx for days, so what is not ours (other event
//! types, payments of other integrations on the same account, orders this server does not
//! know) is acknowledged with 200 "ignored" rather than refused.

use super::{answer, answer_handled, signature_refusal};
use crate::state::ServerState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use schema::orders::service::webhooks::{self, Handled};
use schema::payments::stripe::NAME;
use schema::payments::stripe::events::{self, EventError, Parsed};

const SIGNATURE_HEADER: &str = "stripe-signature";

pub(super) async fn webhook(
    state: &ServerState,
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if let Some(refused) = signature_refusal(NAME, secret, headers, SIGNATURE_HEADER, body) {
        return refused;
    }
    let notifications = match events::parse(body) {
        Ok(Parsed::Notifications(notifications)) => notifications,
        Ok(Parsed::Ignored(why)) => {
            tracing::debug!(provider = NAME, why, "Stripe event ignored");
            return answer(StatusCode::OK, "ignored");
        }
        Err(err @ EventError::Unreadable(_)) => {
            return answer(StatusCode::BAD_REQUEST, &err.to_string());
        }
        Err(err @ EventError::Amount(_)) => {
            // About one of our orders, yet not understood: Stripe's retries keep it visible in
            // its dashboard until someone looks.
            tracing::error!(provider = NAME, error = %err, "a Stripe event could not be used");
            return answer(StatusCode::UNPROCESSABLE_ENTITY, &err.to_string());
        }
    };
    let writer = state.app.writer();
    let mut last = answer(StatusCode::OK, "ignored");
    for notification in &notifications {
        let handled = webhooks::handle(&writer, NAME, notification).await;
        let response = match handled {
            Ok(Handled::UnknownOrder) => {
                tracing::warn!(
                    provider = NAME,
                    event = %notification.id,
                    order = %notification.order_id,
                    "a Stripe event names an order without a stripe payment here; ignored"
                );
                answer(StatusCode::OK, "ignored")
            }
            other => answer_handled(NAME, other),
        };
        // The first that did not go through decides (Stripe then retries the whole event; the
        // ones handled already are recorded and answered "already processed").
        if !response.status().is_success() {
            return response;
        }
        last = response;
    }
    last
}
