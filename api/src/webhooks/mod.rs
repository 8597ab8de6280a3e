//! `POST /webhooks/payments/{provider}`: payment providers report outcomes here.
//!
//! Every request must carry `Shopgraph-Signature: t=<unix seconds>,v1=<hex>` where the hex is
//! HMAC-SHA256 over `"<t>.<raw body>"` with the provider's own secret
//! (`PAYMENT_WEBHOOK_SECRETS=provider=secret,…`; `PAYMENT_WEBHOOK_SECRET` is the `test`
//! provider's; both checked at start, see `config::commerce`), and `t` within five minutes
//! of now (a captured request cannot be replayed later). Anything else is 401 and changes nothing. A provider without a secret, and
//! `manual` (staff record those payments), have no endpoint (404). Every answer is JSON
//! (`{"status", "message"}`); a signed notification that breaks a rule gets a 4xx that is
//! recorded, so the provider's retries get the same 4xx and change nothing.
//!
//! `stripe` signs and words its events its own way: `stripe.rs`.

mod stripe;

use crate::state::ServerState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use schema::error::ApiResult;
use schema::orders::service::webhooks::{self, Handled, Notification};
use serde_json::json;
use sha2::Sha256;

const SIGNATURE_HEADER: &str = "shopgraph-signature";
/// How old (or how far in the future) a signed timestamp may be.
const TOLERANCE_SECS: i64 = 300;

pub async fn payment_webhook(
    State(state): State<ServerState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match state.app.payments.get(&provider) {
        None => return answer(StatusCode::NOT_FOUND, "unknown payment provider"),
        Some(known) if !known.takes_webhooks() => {
            return answer(
                StatusCode::NOT_FOUND,
                "this payment provider takes no webhooks",
            );
        }
        Some(_) => {}
    }
    let Some(secret) = state.options.payment_webhook_secrets.get(&provider) else {
        return answer(
            StatusCode::NOT_FOUND,
            "payment webhooks are not configured for this provider",
        );
    };
    if provider == schema::payments::stripe::NAME {
        return stripe::webhook(&state, secret, &headers, &body).await;
    }
    if let Some(refused) = signature_refusal(&provider, secret, &headers, SIGNATURE_HEADER, &body) {
        return refused;
    }
    let notification: Notification = match serde_json::from_slice(&body) {
        Ok(notification) => notification,
        Err(err) => {
            return answer(
                StatusCode::BAD_REQUEST,
                &format!("unreadable notification: {err}"),
            );
        }
    };
    let handled = webhooks::handle(&state.app.writer(), &provider, &notification).await;
    answer_handled(&provider, handled)
}

/// Checks the `t=…,v1=…` signature in `header` against the body now: the 401 to answer
/// (logged) when it does not hold.
fn signature_refusal(
    provider: &str,
    secret: &str,
    headers: &HeaderMap,
    header: &str,
    body: &[u8],
) -> Option<Response> {
    let signature = headers
        .get(header)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    verify(
        secret.as_bytes(),
        signature,
        body,
        chrono::Utc::now().timestamp(),
    )
    .err()
    .map(|why| {
        tracing::warn!(provider, why, "payment webhook refused");
        answer(StatusCode::UNAUTHORIZED, why)
    })
}

/// The answer to a handled notification.
fn answer_handled(provider: &str, handled: ApiResult<Handled>) -> Response {
    match handled {
        Ok(Handled::Applied) => answer(StatusCode::OK, "applied"),
        Ok(Handled::AlreadyDone) => answer(StatusCode::OK, "already processed"),
        Ok(Handled::UnknownOrder) => {
            answer(StatusCode::NOT_FOUND, "no such order for this provider")
        }
        Ok(Handled::UnknownKind) => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown notification type",
        ),
        Ok(Handled::Refused(refusal)) => answer(status(refusal.status()), &refusal.to_string()),
        Ok(Handled::RefusedBefore {
            status: code,
            message,
        }) => answer(status(code), &message),
        Err(err) => {
            tracing::error!(provider = %provider, error = %err, "payment webhook failed");
            // The provider retries; the event id was released for that.
            answer(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
}

fn answer(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "status": status.as_u16(), "message": message })),
    )
        .into_response()
}

/// Checks `t=…,v1=…` against the body at `now` (unix seconds). Stripe's `Stripe-Signature`
/// is the same scheme (its `v0` entries are ignored).
fn verify(secret: &[u8], header: &str, body: &[u8], now: i64) -> Result<(), &'static str> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", hex_signature)) => signatures.push(hex_signature),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or("missing or malformed signature timestamp")?;
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err("signature timestamp outside the tolerance");
    }
    for candidate in signatures {
        let Ok(expected) = hex::decode(candidate) else {
            continue;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
            return Err("unusable secret");
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        // Constant-time comparison.
        if mac.verify_slice(&expected).is_ok() {
            return Ok(());
        }
    }
    Err("signature does not match")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header value for `body` at `timestamp`, as a provider computes it.
    fn sign(secret: &[u8], body: &[u8], timestamp: i64) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
            Ok(mac) => mac,
            // HMAC accepts keys of any length.
            Err(_) => return String::new(),
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!(
            "t={timestamp},v1={}",
            hex::encode(mac.finalize().into_bytes())
        )
    }

    #[test]
    fn accepts_its_own_signature_and_nothing_else() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(b"secret", body, 1_000_000);
        assert_eq!(verify(b"secret", &header, body, 1_000_010), Ok(()));
        assert!(verify(b"other", &header, body, 1_000_010).is_err());
        assert!(verify(b"secret", &header, br#"{"id":"evt_2"}"#, 1_000_010).is_err());
        assert!(
            verify(b"secret", &header, body, 1_000_000 + 301).is_err(),
            "too old"
        );
        assert!(verify(b"secret", "t=1000000", body, 1_000_000).is_err());
        assert!(verify(b"secret", "", body, 1_000_000).is_err());
        assert!(verify(b"secret", "t=1000000,v1=zz", body, 1_000_000).is_err());
    }

    #[test]
    fn stripes_header_may_list_several_signatures() {
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
        let good = sign(b"whsec_s", body, 1_000_000);
        let good_v1 = good
            .split_once(",v1=")
            .map(|(_, v1)| v1)
            .unwrap_or_default();
        // A rolled secret signs twice (old and new); v0 is Stripe's test scheme, not checked.
        let header = format!("t=1000000,v1={},v1={good_v1},v0=abcdef", "00".repeat(32));
        assert_eq!(verify(b"whsec_s", &header, body, 1_000_000), Ok(()));
        let only_v0 = format!("t=1000000,v0={good_v1}");
        assert!(verify(b"whsec_s", &only_v0, body, 1_000_000).is_err());
    }
}
