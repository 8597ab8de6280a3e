//! A variant's total availability, as events and resyncs report it.

use crate::common::clock::now;
use crate::error::ApiResult;
use crate::events::DomainEvent;
use crate::inventory::events::StockUpdate;
use crate::unit_of_work::Write;
use chrono::{DateTime, Utc};
use entities::{product_variant, stock_level};
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The current availability of each of `variant_ids` (unknown ids are left out), each as a
/// new event. Two statements, however many variants.
pub async fn current(
    db: &impl ConnectionTrait,
    variant_ids: &[Uuid],
    resync: bool,
) -> ApiResult<Vec<StockUpdate>> {
    if variant_ids.is_empty() {
        return Ok(Vec::new());
    }
    let variants = product_variant::Entity::find()
        .filter(product_variant::Column::Id.is_in(variant_ids.iter().copied()))
        .all(db)
        .await?;
    let totals = totals(db, variant_ids).await?;
    let occurred_at = now();
    Ok(variants
        .into_iter()
        .map(|variant| {
            let available = totals.get(&variant.id).copied().unwrap_or(0);
            let available = i32::try_from(available.max(0)).unwrap_or(i32::MAX);
            StockUpdate {
                event_id: Uuid::now_v7(),
                variant_uuid: variant.id,
                product_uuid: variant.product_id,
                sku: variant.sku,
                available,
                in_stock: available > 0,
                occurred_at,
                resync,
                low_stock_threshold: variant.low_stock_threshold,
                was_in_stock: None,
            }
        })
        .collect())
}

/// Units available (on hand − allocated, over all warehouses) per variant: one grouped
/// statement. Variants without stock rows are left out (they have none).
pub async fn totals(
    db: &impl ConnectionTrait,
    variant_ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, i64>> {
    if variant_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // SUM over an integer column is BIGINT on PostgreSQL and INTEGER on SQLite; the cast
    // gives both the same type.
    let totals: Vec<(Uuid, Option<i64>)> = stock_level::Entity::find()
        .select_only()
        .column(stock_level::Column::VariantId)
        .expr(Expr::cust(
            r#"CAST(SUM("stock_levels"."on_hand" - "stock_levels"."allocated") AS BIGINT)"#,
        ))
        .filter(stock_level::Column::VariantId.is_in(variant_ids.iter().copied()))
        .group_by(stock_level::Column::VariantId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(totals
        .into_iter()
        .map(|(id, total)| (id, total.unwrap_or(0)))
        .collect())
}

/// The figure [`totals`] gives (Σ on hand − allocated over the warehouses, null without stock
/// rows) for the variant of the row a query is reading, as a correlated subquery on
/// `product_variants.id`: a read of variants (a cart's lines with their catalog facts) carries
/// it as one more column instead of costing a grouped statement of its own. It reads through
/// the (variant_id, warehouse_id) primary key.
pub fn total_of_variant_row() -> Expr {
    // Scoped: its `max` would shadow `Ord::max` on the integers above.
    use sea_orm::sea_query::ExprTrait;
    let on_hand = Expr::col((stock_level::Entity, stock_level::Column::OnHand));
    let allocated = Expr::col((stock_level::Entity, stock_level::Column::Allocated));
    // The cast makes the sum decode as i64 on both databases, as in `totals`.
    let total = Query::select()
        .expr(Func::cast_as(Func::sum(on_hand.sub(allocated)), "BIGINT"))
        .from(stock_level::Entity)
        .and_where(
            Expr::col((stock_level::Entity, stock_level::Column::VariantId))
                .equals((product_variant::Entity, product_variant::Column::Id)),
        )
        .to_owned();
    total.into()
}

/// Records a `StockChanged` event for each of `variant_ids` on the unit of work, with the
/// availability as its transaction sees it. Returns the updates.
pub async fn record_changes(
    write: &mut Write,
    variant_ids: &[Uuid],
) -> ApiResult<Vec<StockUpdate>> {
    let updates = current(write.txn(), variant_ids, false).await?;
    write.record_all(updates.iter().cloned().map(DomainEvent::StockChanged));
    Ok(updates)
}

/// What a subscription watches: everything, or some products and/or variants.
#[derive(Clone, Debug, Default)]
pub struct Watch {
    pub products: HashSet<Uuid>,
    pub variants: HashSet<Uuid>,
}

impl Watch {
    pub fn everything(&self) -> bool {
        self.products.is_empty() && self.variants.is_empty()
    }

    pub fn matches(&self, update: &StockUpdate) -> bool {
        self.everything()
            || self.products.contains(&update.product_uuid)
            || self.variants.contains(&update.variant_uuid)
    }
}

/// Most variants one resync re-states; a subscriber that missed more should re-query.
const MAX_RESYNC: u64 = 1000;

/// Variants (within `watch`) whose stock changed at or after `since`.
pub async fn changed_since(
    db: &impl ConnectionTrait,
    watch: &Watch,
    since: DateTime<Utc>,
) -> ApiResult<Vec<Uuid>> {
    let mut query = stock_level::Entity::find()
        .select_only()
        .column(stock_level::Column::VariantId)
        .distinct()
        .filter(stock_level::Column::UpdatedAt.gte(since))
        .limit(MAX_RESYNC);
    if !watch.everything() {
        let mut variants = watch.variants.clone();
        if !watch.products.is_empty() {
            let of_products: Vec<Uuid> = product_variant::Entity::find()
                .select_only()
                .column(product_variant::Column::Id)
                .filter(product_variant::Column::ProductId.is_in(watch.products.iter().copied()))
                .into_tuple()
                .all(db)
                .await?;
            variants.extend(of_products);
        }
        query = query.filter(stock_level::Column::VariantId.is_in(variants));
    }
    Ok(query.into_tuple().all(db).await?)
}
