//! The cart event: a cart with an email and lines was left untouched for
//! `CART_ABANDONED_AFTER_HOURS` (raised once per cart). Outgoing webhooks deliver it as
//! CART_ABANDONED and the buyer gets a reminder with a link back to the cart.
//!
//! Only the type lives here: `crate::events` names it in `DomainEvent`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartAbandonment {
    pub event_id: Uuid,
    pub cart_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub email: String,
    pub currency_code: String,
    /// Units over all lines.
    pub total_quantity: i64,
    /// When the cart was last changed.
    pub last_changed_at: DateTime<Utc>,
    pub occurred_at: DateTime<Utc>,
}
