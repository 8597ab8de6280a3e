//! The order event subscribers follow (`orderUpdated`): the order's state after a change.

use chrono::{DateTime, Utc};
use entities::enums::{OrderEventKind, OrderPaymentStatus, OrderStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderUpdate {
    /// The outbox row's id: subscribers drop repeats of an at-least-once delivery.
    pub event_id: Uuid,
    pub order_id: Uuid,
    /// Who may see it besides staff.
    pub customer_id: Option<Uuid>,
    pub status: OrderStatus,
    /// Absent in events written before payments had a dimension of their own.
    #[serde(default)]
    pub payment_status: Option<OrderPaymentStatus>,
    /// What happened (the history entry's kind); absent in older events.
    #[serde(default)]
    pub kind: Option<OrderEventKind>,
    pub occurred_at: DateTime<Utc>,
}

impl OrderUpdate {
    /// The topic outgoing webhooks will deliver this under (SPEC §9 `WebhookTopic`), when it is
    /// one of theirs.
    pub fn topic(&self) -> Option<&'static str> {
        match self.kind? {
            OrderEventKind::Placed => Some("ORDER_CREATED"),
            OrderEventKind::Paid => Some("ORDER_PAID"),
            OrderEventKind::Refunded | OrderEventKind::PartiallyRefunded => Some("ORDER_REFUNDED"),
            OrderEventKind::Cancelled => Some("ORDER_CANCELLED"),
            OrderEventKind::Fulfilled | OrderEventKind::PartiallyFulfilled => {
                Some("ORDER_FULFILLED")
            }
            OrderEventKind::ReturnRequested => Some("RETURN_REQUESTED"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(kind: Option<OrderEventKind>) -> OrderUpdate {
        OrderUpdate {
            event_id: Uuid::nil(),
            order_id: Uuid::nil(),
            customer_id: None,
            status: OrderStatus::Paid,
            payment_status: None,
            kind,
            occurred_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn what_happened_names_the_topic_outgoing_webhooks_deliver_it_under() {
        let cases = [
            (OrderEventKind::Placed, Some("ORDER_CREATED")),
            (OrderEventKind::Paid, Some("ORDER_PAID")),
            (OrderEventKind::PartiallyRefunded, Some("ORDER_REFUNDED")),
            (OrderEventKind::Refunded, Some("ORDER_REFUNDED")),
            (OrderEventKind::PartiallyFulfilled, Some("ORDER_FULFILLED")),
            (OrderEventKind::Fulfilled, Some("ORDER_FULFILLED")),
            (OrderEventKind::Cancelled, Some("ORDER_CANCELLED")),
            (OrderEventKind::TrackingUpdated, None),
            (OrderEventKind::ReturnRequested, Some("RETURN_REQUESTED")),
            (OrderEventKind::ReturnApproved, None),
            (OrderEventKind::ReturnReceived, None),
        ];
        for (kind, topic) in cases {
            assert_eq!(update(Some(kind)).topic(), topic, "{kind:?}");
        }
        // Events written before they said what happened.
        assert_eq!(update(None).topic(), None);
    }
}
