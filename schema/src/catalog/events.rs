//! The catalog event: products whose searchable facts changed (name, description, brand,
//! category, status, variants, prices). It travels through the outbox like every event; the
//! relay turns it into search-queue rows (see `crate::search::queue`).

use crate::common::clock::now;
use crate::error::ApiResult;
use crate::events::{DomainEvent, outbox};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
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

/// Records that `product_ids` changed, in the caller's transaction.
pub async fn record_products(db: &impl ConnectionTrait, product_ids: Vec<Uuid>) -> ApiResult<()> {
    if product_ids.is_empty() {
        return Ok(());
    }
    record(db, product_ids, None).await
}

/// Records that the products under `category_id` (and its subcategories) changed.
pub async fn record_category(db: &impl ConnectionTrait, category_id: Uuid) -> ApiResult<()> {
    record(db, Vec::new(), Some(category_id)).await
}

async fn record(
    db: &impl ConnectionTrait,
    product_ids: Vec<Uuid>,
    category_id: Option<Uuid>,
) -> ApiResult<()> {
    let change = CatalogChange {
        event_id: Uuid::now_v7(),
        product_ids,
        category_id,
        occurred_at: now(),
    };
    outbox::record(db, &DomainEvent::CatalogChanged(change)).await
}
