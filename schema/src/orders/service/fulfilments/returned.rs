//! Shipped units coming back from the customer, counted on the shipment lines they left on.
//!
//! `fulfillment_lines.returned_quantity` is the one count of units back, whichever way they
//! came (a received return, or a refund with `restock`): each increment is guarded
//! (`returned_quantity + n ≤ quantity`), so a unit is counted — and put back on hand — at
//! most once, however the two paths interleave.

use crate::error::ApiResult;
use crate::unit_of_work::Write;
use entities::enums::FulfillmentStatus;
use entities::{fulfillment, fulfillment_line};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

/// Units of one order line counted back, and the warehouse they had left from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CameBack {
    pub warehouse_id: Uuid,
    pub quantity: i32,
}

/// Counts up to `quantity` shipped units of the line as returned — on shipments that were not
/// cancelled, oldest first, guarded per shipment line — and says where they had left from.
/// Fewer come back when fewer are still out.
pub(crate) async fn count_back(
    write: &Write,
    line_id: Uuid,
    mut quantity: i32,
) -> ApiResult<Vec<CameBack>> {
    if quantity <= 0 {
        return Ok(Vec::new());
    }
    let rows = fulfillment_line::Entity::find()
        .inner_join(fulfillment::Entity)
        .filter(fulfillment_line::Column::OrderLineId.eq(line_id))
        .filter(fulfillment::Column::Status.ne(FulfillmentStatus::Cancelled))
        .order_by_asc(fulfillment_line::Column::FulfillmentId)
        .all(write.txn())
        .await?;
    let mut back = Vec::new();
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
            back.push(CameBack {
                warehouse_id: row.warehouse_id,
                quantity: units,
            });
        }
    }
    Ok(back)
}

/// Per order line of the order, the units shipped (on shipments not cancelled) and not
/// counted back: what is still with the customer. Lines with none are left out.
pub(crate) async fn still_out(write: &Write, order_id: Uuid) -> ApiResult<HashMap<Uuid, i32>> {
    let rows = fulfillment_line::Entity::find()
        .inner_join(fulfillment::Entity)
        .filter(fulfillment::Column::OrderId.eq(order_id))
        .filter(fulfillment::Column::Status.ne(FulfillmentStatus::Cancelled))
        .all(write.txn())
        .await?;
    let mut out: HashMap<Uuid, i32> = HashMap::new();
    for row in rows {
        let units = row.quantity - row.returned_quantity;
        if units > 0 {
            *out.entry(row.order_line_id).or_default() += units;
        }
    }
    Ok(out)
}
