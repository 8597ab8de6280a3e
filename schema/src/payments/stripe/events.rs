//! Stripe's webhook events (`{"id", "type", "data": {"object": …}}`) as our notifications.
//!
//! | Stripe event                     | notification                                  |
//! |----------------------------------|-----------------------------------------------|
//! | `payment_intent.succeeded`       | `payment.succeeded` (amount = amount_received) |
//! | `payment_intent.payment_failed`  | `payment.failed` (reason = last_payment_error) |
//! | `payment_intent.canceled`        | `payment.canceled`                            |
//! | `charge.refunded`                | `refund.succeeded`/`refund.failed`, one per settled refund of the charge |
//! | `charge.refund.updated`          | the same for the one refund                   |
//!
//! Anything else is ignored, and so is an event whose object carries no order id of ours in
//! its metadata: a Stripe account often serves other integrations too.
//!
//! A refund's notification is keyed by the refund and its status (`re_…:succeeded`), not by
//! the event: `charge.refunded` lists every refund of the charge, earlier ones included, and
//! the same refund also comes in `charge.refund.updated`; each outcome is handled once.

use super::amounts::{self, AmountError};
use super::objects::{Charge, PaymentIntent, Refund};
use crate::orders::service::webhooks::Notification;
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// What an event means to us.
#[derive(Debug)]
pub enum Parsed {
    /// One or more notifications to handle, in order.
    Notifications(Vec<Notification>),
    /// Nothing to do, and why (for the log and the answer).
    Ignored(String),
}

#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("unreadable event: {0}")]
    Unreadable(#[from] serde_json::Error),
    #[error("unusable amount: {0}")]
    Amount(#[from] AmountError),
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    object: serde_json::Value,
}

pub fn parse(body: &[u8]) -> Result<Parsed, EventError> {
    let event: Event = serde_json::from_slice(body)?;
    let kind = match event.kind.as_str() {
        "payment_intent.succeeded" => "payment.succeeded",
        "payment_intent.payment_failed" => "payment.failed",
        "payment_intent.canceled" => "payment.canceled",
        "charge.refunded" => {
            let charge: Charge = serde_json::from_value(event.data.object)?;
            let refunds = charge.refunds.clone().map(|l| l.data).unwrap_or_default();
            return Ok(refunds_settled(&refunds, Some(&charge.metadata)));
        }
        "charge.refund.updated" => {
            let refund: Refund = serde_json::from_value(event.data.object)?;
            return Ok(refunds_settled(&[refund], None));
        }
        other => return Ok(Parsed::Ignored(format!("{other} events are not used"))),
    };
    let intent: PaymentIntent = serde_json::from_value(event.data.object)?;
    let Some(order_id) = order_of(&intent.metadata) else {
        return Ok(no_order(&intent.id));
    };
    let (amount, reason) = match kind {
        "payment.succeeded" => {
            let (amount, _) = amounts::from_stripe(intent.amount_received, &intent.currency)?;
            (Some(amount), None)
        }
        "payment.failed" => (
            None,
            intent
                .last_payment_error
                .and_then(|e| e.message)
                .or_else(|| Some("the payment failed".to_owned())),
        ),
        _ => (
            None,
            intent
                .cancellation_reason
                .map(|r| format!("canceled at Stripe ({})", r.replace('_', " "))),
        ),
    };
    Ok(Parsed::Notifications(vec![Notification {
        id: event.id,
        kind: kind.to_owned(),
        order_id,
        reference: Some(intent.id),
        reason,
        amount,
        refund_id: None,
    }]))
}

/// The settled refunds among `refunds`; the order comes from each refund's metadata, else
/// from the charge's.
fn refunds_settled(refunds: &[Refund], charge: Option<&HashMap<String, String>>) -> Parsed {
    let mut notifications = Vec::new();
    for refund in refunds {
        let kind = match refund.status.as_str() {
            "succeeded" => "refund.succeeded",
            "failed" | "canceled" => "refund.failed",
            // Not settled yet: a later event will say.
            _ => continue,
        };
        let order = order_of(&refund.metadata).or_else(|| charge.and_then(order_of));
        let Some(order_id) = order else {
            tracing::warn!(refund = %refund.id, "a Stripe refund names no order of ours");
            continue;
        };
        notifications.push(Notification {
            id: format!("{}:{}", refund.id, refund.status),
            kind: kind.to_owned(),
            order_id,
            reference: Some(refund.id.clone()),
            reason: (kind == "refund.failed").then(|| {
                refund
                    .failure_reason
                    .as_deref()
                    .unwrap_or("the refund failed")
                    .replace('_', " ")
            }),
            amount: None,
            refund_id: refund
                .metadata
                .get("refund_id")
                .and_then(|id| Uuid::parse_str(id).ok()),
        });
    }
    if notifications.is_empty() {
        return Parsed::Ignored("no settled refund of ours".into());
    }
    Parsed::Notifications(notifications)
}

fn order_of(metadata: &HashMap<String, String>) -> Option<Uuid> {
    metadata
        .get("order_id")
        .and_then(|id| Uuid::parse_str(id.trim()).ok())
}

fn no_order(object: &str) -> Parsed {
    Parsed::Ignored(format!("{object} names no order of ours"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ORDER: &str = "0190a6e2-7b1c-7d3e-9f00-000000000001";
    const REFUND: &str = "0190a6e2-7b1c-7d3e-9f00-0000000000aa";

    fn event(kind: &str, object: serde_json::Value) -> Vec<u8> {
        json!({ "id": "evt_1", "object": "event", "type": kind, "data": { "object": object } })
            .to_string()
            .into_bytes()
    }

    fn notifications(parsed: Result<Parsed, EventError>) -> Vec<Notification> {
        match parsed {
            Ok(Parsed::Notifications(list)) => list,
            other => panic!("expected notifications, got {other:?}"),
        }
    }

    fn order() -> Uuid {
        Uuid::parse_str(ORDER).unwrap_or_default()
    }

    #[test]
    fn a_succeeded_intent_pays_its_order_with_the_amount_received() {
        let body = event(
            "payment_intent.succeeded",
            json!({ "id": "pi_1", "object": "payment_intent", "status": "succeeded",
                    "amount": 1205, "amount_received": 1205, "currency": "jpy",
                    "metadata": { "order_id": ORDER, "payment_id": "x" } }),
        );
        let list = notifications(parse(&body));
        assert_eq!(list.len(), 1);
        let n = &list[0];
        assert_eq!(
            (n.id.as_str(), n.kind.as_str(), n.order_id),
            ("evt_1", "payment.succeeded", order())
        );
        assert_eq!(n.reference.as_deref(), Some("pi_1"));
        assert_eq!(n.amount, Some(1205));
    }

    #[test]
    fn failed_and_canceled_intents_say_why() {
        let failed = event(
            "payment_intent.payment_failed",
            json!({ "id": "pi_2", "status": "requires_payment_method", "currency": "usd",
                    "last_payment_error": { "type": "card_error", "message": "Your card has insufficient funds." },
                    "metadata": { "order_id": ORDER } }),
        );
        let n = &notifications(parse(&failed))[0];
        assert_eq!(n.kind, "payment.failed");
        assert_eq!(
            n.reason.as_deref(),
            Some("Your card has insufficient funds.")
        );
        let canceled = event(
            "payment_intent.canceled",
            json!({ "id": "pi_3", "status": "canceled", "cancellation_reason": "abandoned",
                    "metadata": { "order_id": ORDER } }),
        );
        let n = &notifications(parse(&canceled))[0];
        assert_eq!(
            (n.kind.as_str(), n.reason.as_deref()),
            ("payment.canceled", Some("canceled at Stripe (abandoned)"))
        );
    }

    #[test]
    fn each_settled_refund_of_a_charge_is_one_notification() {
        let body = event(
            "charge.refunded",
            json!({ "id": "ch_1", "object": "charge", "payment_intent": "pi_1",
                    "metadata": { "order_id": ORDER },
                    "refunds": { "object": "list", "data": [
                        { "id": "re_1", "status": "succeeded", "metadata": { "refund_id": REFUND } },
                        { "id": "re_2", "status": "failed", "failure_reason": "expired_or_canceled_card", "metadata": {} },
                        { "id": "re_3", "status": "pending", "metadata": {} }
                    ] } }),
        );
        let list = notifications(parse(&body));
        assert_eq!(list.len(), 2, "the pending refund waits");
        assert_eq!(
            (list[0].id.as_str(), list[0].kind.as_str()),
            ("re_1:succeeded", "refund.succeeded")
        );
        assert_eq!(list[0].refund_id, Uuid::parse_str(REFUND).ok());
        assert_eq!(list[0].reference.as_deref(), Some("re_1"));
        assert_eq!(list[0].order_id, order(), "from the charge's metadata");
        assert_eq!(
            (list[1].kind.as_str(), list[1].reason.as_deref()),
            ("refund.failed", Some("expired or canceled card"))
        );
        // The same refund in a later event is the same notification (handled once).
        let update = event(
            "charge.refund.updated",
            json!({ "id": "re_1", "object": "refund", "status": "succeeded",
                    "metadata": { "order_id": ORDER, "refund_id": REFUND } }),
        );
        assert_eq!(notifications(parse(&update))[0].id, "re_1:succeeded");
    }

    #[test]
    fn other_events_and_other_integrations_payments_are_ignored() {
        let unrelated = event("customer.created", json!({ "id": "cus_1" }));
        assert!(matches!(parse(&unrelated), Ok(Parsed::Ignored(_))));
        let foreign = event(
            "payment_intent.succeeded",
            json!({ "id": "pi_9", "amount_received": 100, "currency": "usd", "metadata": {} }),
        );
        assert!(matches!(parse(&foreign), Ok(Parsed::Ignored(_))));
        let no_refunds = event(
            "charge.refunded",
            json!({ "id": "ch_1", "metadata": { "order_id": ORDER } }),
        );
        assert!(matches!(parse(&no_refunds), Ok(Parsed::Ignored(_))));
    }

    #[test]
    fn unreadable_events_and_amounts_are_errors() {
        assert!(matches!(
            parse(b"{\"id\": 1}"),
            Err(EventError::Unreadable(_))
        ));
        let odd_currency = event(
            "payment_intent.succeeded",
            json!({ "id": "pi_1", "amount_received": 100, "currency": "krw",
                    "metadata": { "order_id": ORDER } }),
        );
        assert!(matches!(parse(&odd_currency), Err(EventError::Amount(_))));
    }
}
