//! Refunded units going back to stock, from the warehouses they were allocated in.
//!
//! Units not shipped yet come off the order's allocation rows first (a row at zero goes) and
//! are released (`allocated` drops). The rest come off the order's shipments, counted as
//! returned on the shipment line (`returned_quantity`, guarded: never more than shipped),
//! and go back on hand where they left from. A cancelled order's stock came back when it was
//! cancelled, so nothing moves then.

use crate::error::ApiResult;
use crate::inventory::service::allocation::{self, Allocation};
use crate::orders::service::fulfilments;
use crate::unit_of_work::Write;
use entities::enums::{FulfillmentStatus, OrderStatus};
use entities::{fulfillment, fulfillment_line, order, order_allocation, order_line};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// Puts `quantity` units of each `(order line, quantity)` back.
pub async fn restock(
    write: &mut Write,
    order: &order::Model,
    lines: &[(Uuid, i32)],
) -> ApiResult<()> {
    if !matches!(order.status, OrderStatus::Paid | OrderStatus::Fulfilled) {
        return Ok(());
    }
    let mut released = Vec::new();
    let mut returned = Vec::new();
    for &(line_id, quantity) in lines {
        let Some(line) = order_line::Entity::find_by_id(line_id)
            .one(write.txn())
            .await?
        else {
            continue;
        };
        let Some(variant_id) = line.variant_id else {
            // The variant was deleted: there is no stock row to return the units to.
            continue;
        };
        let (from_allocation, rest) =
            unship_allocated(write, line_id, variant_id, quantity).await?;
        released.extend(from_allocation);
        returned.extend(take_shipped(write, line_id, variant_id, rest).await?);
    }
    allocation::release(write, &released).await?;
    allocation::return_to_stock(write, &returned).await
}

/// Takes up to `quantity` units off the line's allocation rows, first warehouse first;
/// returns them and how many are still to find.
async fn unship_allocated(
    write: &Write,
    line_id: Uuid,
    variant_id: Uuid,
    mut quantity: i32,
) -> ApiResult<(Vec<Allocation>, i32)> {
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
        let units = std::cmp::min(row.quantity, quantity);
        // Guarded: a shipment taking the same units meanwhile leaves them to it.
        if !fulfilments::decrement(write, &row, units).await? {
            continue;
        }
        quantity -= units;
        taken.push(Allocation {
            variant_id,
            warehouse_id: row.warehouse_id,
            quantity: units,
        });
    }
    Ok((taken, quantity))
}

/// Counts up to `quantity` shipped units of the line as returned (shipments not cancelled,
/// guarded per shipment line) and says where they go back on hand.
async fn take_shipped(
    write: &Write,
    line_id: Uuid,
    variant_id: Uuid,
    mut quantity: i32,
) -> ApiResult<Vec<Allocation>> {
    if quantity == 0 {
        return Ok(Vec::new());
    }
    let rows = fulfillment_line::Entity::find()
        .inner_join(fulfillment::Entity)
        .filter(fulfillment_line::Column::OrderLineId.eq(line_id))
        .filter(fulfillment::Column::Status.ne(FulfillmentStatus::Cancelled))
        .order_by_asc(fulfillment_line::Column::FulfillmentId)
        .all(write.txn())
        .await?;
    let mut taken = Vec::new();
    for row in rows {
        if quantity == 0 {
            break;
        }
        let units = std::cmp::min(row.quantity - row.returned_quantity, quantity);
        if units <= 0 {
            continue;
        }
        let counted = fulfillment_line::Entity::update_many()
            .col_expr(
                fulfillment_line::Column::ReturnedQuantity,
                Expr::col(fulfillment_line::Column::ReturnedQuantity).add(units),
            )
            .filter(fulfillment_line::Column::FulfillmentId.eq(row.fulfillment_id))
            .filter(fulfillment_line::Column::OrderLineId.eq(row.order_line_id))
            .filter(fulfillment_line::Column::WarehouseId.eq(row.warehouse_id))
            .filter(
                Expr::col(fulfillment_line::Column::ReturnedQuantity)
                    .add(units)
                    .lte(Expr::col(fulfillment_line::Column::Quantity)),
            )
            .exec(write.txn())
            .await?;
        if counted.rows_affected == 1 {
            quantity -= units;
            taken.push(Allocation {
                variant_id,
                warehouse_id: row.warehouse_id,
                quantity: units,
            });
        }
    }
    Ok(taken)
}
