//! The order event subscribers follow (`orderUpdated`): the order's state after a change.

use chrono::{DateTime, Utc};
use entities::enums::OrderStatus;
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
    pub occurred_at: DateTime<Utc>,
}
