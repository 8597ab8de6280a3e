//! What other contexts may ask of `stock_levels`, which inventory owns: the catalog stocks a
//! variant it creates, and asks whether variants it would delete have stock promised to
//! orders.

use crate::error::ApiResult;
use chrono::{DateTime, Utc};
use entities::stock_level;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

/// Units of a new variant in one warehouse.
#[derive(Clone, Copy, Debug)]
pub struct InitialStock {
    pub warehouse_id: Uuid,
    pub on_hand: i32,
}

/// The first stock rows of a variant created in the caller's unit of work (one INSERT). No
/// event: nobody can be watching a variant that did not exist.
pub async fn stock_new_variant(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    stock: &[InitialStock],
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    if stock.is_empty() {
        return Ok(());
    }
    stock_level::Entity::insert_many(stock.iter().map(|s| stock_level::ActiveModel {
        variant_id: Set(variant_id),
        warehouse_id: Set(s.warehouse_id),
        on_hand: Set(s.on_hand),
        allocated: Set(0),
        updated_at: Set(at),
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// Whether any of the variants has stock allocated to orders. The rows stay locked (on
/// PostgreSQL) until the caller's unit ends, so no checkout can allocate them meanwhile.
pub async fn any_allocated(db: &impl ConnectionTrait, variant_ids: Vec<Uuid>) -> ApiResult<bool> {
    if variant_ids.is_empty() {
        return Ok(false);
    }
    let count = stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.is_in(variant_ids))
        .filter(stock_level::Column::Allocated.gt(0))
        .lock_exclusive()
        .count(db)
        .await?;
    Ok(count > 0)
}
