//! Refunded units going back to stock, from the warehouses they were allocated in.
//!
//! Units not shipped yet come off the order's allocation rows first (a row at zero goes) and
//! are released (`allocated` drops). The rest come off the order's shipments, counted as
//! returned on the shipment line (`fulfilments::returned`, guarded: never more than shipped,
//! and never a unit a received return already counted), and go back on hand where they left
//! from. A cancelled order's stock came back when it was cancelled, so nothing moves then.
//! A received return has counted its units already: staff refund it with `restock: false`
//! (with `restock: true` the refund would count other units still with the customer).

use crate::error::ApiResult;
use crate::inventory::service::allocation::{self, Allocation};
use crate::orders::service::fulfilments;
use crate::unit_of_work::Write;
use entities::enums::OrderStatus;
use entities::{order, order_allocation, order_line};
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

/// Counts up to `quantity` shipped units of the line as returned (guarded: a unit a received
/// return already counted is not counted again) and says where they go back on hand.
async fn take_shipped(
    write: &Write,
    line_id: Uuid,
    variant_id: Uuid,
    quantity: i32,
) -> ApiResult<Vec<Allocation>> {
    let back = fulfilments::returned::count_back(write, line_id, quantity).await?;
    Ok(back
        .into_iter()
        .map(|units| Allocation {
            variant_id,
            warehouse_id: units.warehouse_id,
            quantity: units.quantity,
        })
        .collect())
}
