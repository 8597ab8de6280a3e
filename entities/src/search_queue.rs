use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A product whose search document must be rebuilt (or removed). Filled by the outbox relay,
/// drained by the search sync; one row per product however often it changed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "search_queue")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_id: Uuid,
    /// When the product was first queued (oldest first).
    pub queued_at: DateTimeUtc,
    /// Raised by every further change while queued.
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
