//! Refunded units going back to stock, from the warehouses they were allocated in.
//!
//! An order's allocation rows are the units still committed to it. Restocking takes the
//! units off those rows (a row that reaches zero goes) and hands them to inventory: an
//! unshipped order's units are released (`allocated` drops), a shipped order's come back
//! on hand. A cancelled order's stock came back when it was cancelled, so nothing moves.

use crate::error::ApiResult;
use crate::inventory::service::allocation::{self, Allocation};
use crate::unit_of_work::Write;
use entities::enums::OrderStatus;
use entities::{order, order_allocation, order_line};
use sea_orm::{ColumnTrait, EntityTrait, ModelTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// Puts `quantity` units of each `(order line, quantity)` back.
pub async fn restock(
    write: &mut Write,
    order: &order::Model,
    lines: &[(Uuid, i32)],
) -> ApiResult<()> {
    let shipped = match order.status {
        OrderStatus::Paid => false,
        OrderStatus::Fulfilled => true,
        OrderStatus::Placed | OrderStatus::Cancelled | OrderStatus::Refunded => return Ok(()),
    };
    let mut taken = Vec::new();
    for &(line_id, quantity) in lines {
        taken.extend(take(write, line_id, quantity).await?);
    }
    if shipped {
        allocation::return_to_stock(write, &taken).await
    } else {
        allocation::release(write, &taken).await
    }
}

/// Takes `quantity` units off the line's allocation rows, first warehouse first.
async fn take(write: &Write, line_id: Uuid, mut quantity: i32) -> ApiResult<Vec<Allocation>> {
    let Some(line) = order_line::Entity::find_by_id(line_id)
        .one(write.txn())
        .await?
    else {
        return Ok(Vec::new());
    };
    let Some(variant_id) = line.variant_id else {
        // The variant was deleted: there is no stock row to return the units to.
        return Ok(Vec::new());
    };
    let rows = order_allocation::Entity::find()
        .filter(order_allocation::Column::OrderLineId.eq(line_id))
        .order_by_asc(order_allocation::Column::WarehouseId)
        .all(write.txn())
        .await?;
    let mut taken = Vec::new();
    for row in rows {
        if quantity == 0 {
            break;
        }
        let units = row.quantity.min(quantity);
        quantity -= units;
        taken.push(Allocation {
            variant_id,
            warehouse_id: row.warehouse_id,
            quantity: units,
        });
        if units == row.quantity {
            row.delete(write.txn()).await?;
        } else {
            let mut shrunk: order_allocation::ActiveModel = row.clone().into();
            shrunk.quantity = sea_orm::Set(row.quantity - units);
            sea_orm::ActiveModelTrait::update(shrunk, write.txn()).await?;
        }
    }
    Ok(taken)
}
