//! The shipping event: staff changed a zone or a method. Nobody subscribes; every replica
//! drops the shipping configuration it holds in memory when it sees one
//! (`service::cache::ShippingRatesCache::follow`).
//!
//! Only the type lives here: `crate::events` names it in `DomainEvent`, so this module must
//! not depend on `crate::events` in turn.

use crate::common::clock::now;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingChange {
    pub event_id: Uuid,
    /// The zone or method that changed.
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
}

impl ShippingChange {
    pub fn new(id: Uuid) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            id,
            occurred_at: now(),
        }
    }
}
