//! The content event: a menu or page was created, changed or deleted. Nobody subscribes; the
//! response cache drops its answers when it sees one (`crate::response_cache`).
//!
//! Only the type lives here: `crate::events` names it in `DomainEvent`, so this module must
//! not depend on `crate::events` in turn.

use crate::common::clock::now;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContentKind {
    Menu,
    Page,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentChange {
    pub event_id: Uuid,
    pub kind: ContentKind,
    pub id: Uuid,
    /// The handle before the change (a storefront revalidates that path).
    pub handle: String,
    pub occurred_at: DateTime<Utc>,
}

impl ContentChange {
    pub fn new(kind: ContentKind, id: Uuid, handle: &str) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            kind,
            id,
            handle: handle.to_owned(),
            occurred_at: now(),
        }
    }
}
