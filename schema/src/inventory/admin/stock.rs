//! Staff stock changes. This module and `inventory::service::allocation` are the only writers of
//! `stock_levels`; every change is one conditional UPDATE, never read-then-write, so
//! concurrent changes cannot lose an update or push `on_hand` below `allocated` (the table's
//! CHECK constraint is the last line of defence).

use crate::common::clock::now;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::inventory::events::StockUpdate;
use crate::inventory::service::availability;
use crate::unit_of_work::{Write, Writer};
use entities::{product_variant, stock_level, warehouse};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// What a stock change asks for.
#[derive(Copy, Clone, Debug)]
pub enum StockChange {
    /// Counted stock: `on_hand` becomes this.
    Set(i32),
    /// Received (+) or lost/damaged (−) units.
    Adjust(i32),
}

/// Longest accepted adjustment reason.
const MAX_REASON_LEN: usize = 255;

/// Why an adjustment is refused before touching stock: it must change something and say why.
/// The reason is logged with the change, so it is one line of text like a name.
pub fn adjustment_problem(delta: i32, reason: &str) -> Option<UserError> {
    if let Err(problem) = text::required_line(reason, MAX_REASON_LEN) {
        let message = format!("give a reason: {problem}");
        return Some(UserError::new(&["reason"], ErrorCode::Invalid, message));
    }
    (delta == 0).then(|| {
        UserError::new(
            &["delta"],
            ErrorCode::Invalid,
            "the adjustment must not be zero",
        )
    })
}

/// The level after a successful change, and the event subscribers must hear about.
pub struct Changed {
    pub level: stock_level::Model,
    pub update: StockUpdate,
}

/// Applies `change` to the stock of `variant_id` in `warehouse_id` in a unit of its own,
/// committed (with its `StockChanged` event) unless refused.
pub async fn apply_change(
    writer: &Writer,
    variant_id: Uuid,
    warehouse_id: Uuid,
    change: StockChange,
) -> ApiResult<Result<Changed, Vec<UserError>>> {
    let mut write = writer.begin().await?;
    let outcome = change_stock(&mut write, variant_id, warehouse_id, change).await?;
    if outcome.is_ok() {
        write.commit().await?;
    }
    Ok(outcome)
}

/// Applies `change` to the stock of `variant_id` in `warehouse_id` and records its event on
/// `write`. A refusal writes nothing.
pub async fn change_stock(
    write: &mut Write,
    variant_id: Uuid,
    warehouse_id: Uuid,
    change: StockChange,
) -> ApiResult<Result<Changed, Vec<UserError>>> {
    let db = write.txn();
    let refuse =
        |field: &str, code, message: String| Ok(Err(vec![UserError::new(&[field], code, message)]));
    let Some(variant) = product_variant::Entity::find_by_id(variant_id)
        .one(db)
        .await?
    else {
        return refuse("variantId", ErrorCode::NotFound, "no such variant".into());
    };
    if warehouse::Entity::find_by_id(warehouse_id)
        .one(db)
        .await?
        .is_none()
    {
        return refuse(
            "warehouseId",
            ErrorCode::NotFound,
            "no such warehouse".into(),
        );
    }
    if let StockChange::Set(n) = change
        && n < 0
    {
        return refuse(
            "onHand",
            ErrorCode::Invalid,
            "on hand cannot be negative".into(),
        );
    }

    let on_hand = Expr::col(stock_level::Column::OnHand);
    let allocated = Expr::col(stock_level::Column::Allocated);
    let new_on_hand = match change {
        StockChange::Set(n) => Expr::value(n),
        StockChange::Adjust(delta) => on_hand.clone().add(delta),
    };
    // The guard. Receiving units: the result must fit the column (`on_hand + delta` is not
    // evaluated for a row that would overflow — PostgreSQL would fail the statement).
    // Anything else: what is promised to orders stays on hand.
    let guard = match change {
        StockChange::Adjust(delta) if delta > 0 => on_hand.lte(i32::MAX - delta),
        _ => new_on_hand.clone().gte(allocated),
    };
    let updated = stock_level::Entity::update_many()
        .col_expr(stock_level::Column::OnHand, new_on_hand)
        .col_expr(stock_level::Column::UpdatedAt, Expr::value(now()))
        .filter(stock_level::Column::VariantId.eq(variant_id))
        .filter(stock_level::Column::WarehouseId.eq(warehouse_id))
        .filter(guard)
        .exec(db)
        .await?;

    if updated.rows_affected == 0 {
        let existing = stock_level::Entity::find_by_id((variant_id, warehouse_id))
            .one(db)
            .await?;
        match (existing, change) {
            (Some(level), StockChange::Adjust(delta)) if delta > 0 => {
                return refuse(
                    "delta",
                    ErrorCode::Invalid,
                    format!(
                        "on hand would exceed {} units, the most a stock level can hold (on hand now: {})",
                        i32::MAX,
                        level.on_hand
                    ),
                );
            }
            (Some(level), _) => {
                let field = if matches!(change, StockChange::Set(_)) {
                    "onHand"
                } else {
                    "delta"
                };
                return refuse(
                    field,
                    ErrorCode::Invalid,
                    format!(
                        "on hand would fall below the {} units allocated to orders (on hand now: {})",
                        level.allocated, level.on_hand
                    ),
                );
            }
            (None, StockChange::Adjust(delta)) if delta < 0 => {
                return refuse(
                    "delta",
                    ErrorCode::Invalid,
                    "the warehouse holds none of this variant".into(),
                );
            }
            (None, StockChange::Set(n) | StockChange::Adjust(n)) => {
                let first = stock_level::ActiveModel {
                    variant_id: Set(variant_id),
                    warehouse_id: Set(warehouse_id),
                    on_hand: Set(n),
                    allocated: Set(0),
                    updated_at: Set(now()),
                };
                // DO NOTHING rather than a unique violation: on PostgreSQL a failed statement
                // aborts the transaction, and the retry below must still run in it.
                let key = [
                    stock_level::Column::VariantId,
                    stock_level::Column::WarehouseId,
                ];
                let inserted = stock_level::Entity::insert(first)
                    .on_conflict(OnConflict::columns(key).do_nothing().to_owned())
                    .exec_without_returning(db)
                    .await?;
                if inserted == 0 {
                    // Someone stocked it concurrently: apply the change to their row instead.
                    return Box::pin(change_stock(write, variant_id, warehouse_id, change)).await;
                }
            }
        }
    }

    let level = stock_level::Entity::find_by_id((variant_id, warehouse_id))
        .one(db)
        .await?
        .ok_or_else(|| {
            crate::error::ApiError::Internal("stock level vanished after an update".into())
        })?;
    // The event is recorded on the unit: it is published if and only if the change commits.
    let update = availability::record_changes(write, &[variant.id])
        .await?
        .pop()
        .ok_or_else(|| crate::error::ApiError::Internal("changed variant vanished".into()))?;
    Ok(Ok(Changed { level, update }))
}
