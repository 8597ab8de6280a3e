//! The catalog event: products whose searchable facts changed (name, description, brand,
//! category, status, variants, prices). A writer records it on its unit of work
//! (`write.record(DomainEvent::CatalogChanged(..))`); it travels through the outbox like every
//! event, and the relay turns it into search-queue rows (see `crate::search::queue`).
//!
//! Only the type lives here: `crate::events` names it in `DomainEvent`, so this module must
//! not depend on `crate::events` in turn.

use crate::common::clock::now;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogChange {
    pub event_id: Uuid,
    pub product_ids: Vec<Uuid>,
    /// A category that was renamed or moved: every product in its subtree changed.
    #[serde(default)]
    pub category_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
}

impl CatalogChange {
    /// `product_ids` changed. The caller records nothing when the list is empty.
    pub fn products(product_ids: Vec<Uuid>) -> Self {
        Self::new(product_ids, None)
    }

    /// The products under `category_id` (and its subcategories) changed.
    pub fn category(category_id: Uuid) -> Self {
        Self::new(Vec::new(), Some(category_id))
    }

    fn new(product_ids: Vec<Uuid>, category_id: Option<Uuid>) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            product_ids,
            category_id,
            occurred_at: now(),
        }
    }
}
