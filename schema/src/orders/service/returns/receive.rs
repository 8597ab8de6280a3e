//! `returnReceive`: the parcel arrived. Its units are counted back on the shipments they left
//! on, optionally put back on hand where they left from, and the order's fulfilment moves
//! through the process table (PARTIALLY_RETURNED, or RETURNED when nothing shipped is left
//! with the customer).

use super::{Changed, ReturnAction, illegal, load, not_found};
use crate::common::clock::now;
use crate::common::user_error::UserError;
use crate::error::ApiResult;
use crate::inventory::service::allocation::{self, Allocation};
use crate::orders::service::fulfilments::returned;
use crate::orders::service::lifecycle::{self, Detail};
use crate::orders::service::transitions::OrderAction;
use crate::unit_of_work::{Write, Writer};
use entities::{order_line, order_return, return_line};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Receives return `id`; with `restock` its units go back on hand (and `stockChanged`
/// subscribers see them available).
pub async fn receive(
    writer: &Writer,
    id: Uuid,
    restock: bool,
    actor: Option<Uuid>,
) -> ApiResult<Result<Changed, UserError>> {
    let mut write = writer.begin().await?;
    let Some(((found, lines), order)) = load(&write, id).await? else {
        return Ok(Err(not_found()));
    };
    let at = now();
    let extra = vec![
        (order_return::Column::Restocked, Expr::value(restock)),
        (order_return::Column::ReceivedAt, Expr::value(at)),
    ];
    let action = ReturnAction::Receive;
    let Some(changed) = super::change_status(&write, id, action, extra).await? else {
        return Ok(Err(illegal(found.status, action)));
    };
    let (counted, stock) = count_back(&write, &lines).await?;
    if restock {
        allocation::return_to_stock(&mut write, &stock).await?;
    }
    let anything_out = !returned::still_out(&write, order.id).await?.is_empty();
    let transition = if anything_out {
        OrderAction::ReturnPart
    } else {
        OrderAction::ReturnAll
    };
    let detail = Detail {
        actor,
        note: Some(format!(
            "{counted} unit(s) received{}",
            if restock {
                ", back in stock"
            } else {
                ", not restocked"
            }
        )),
        ..Detail::default()
    };
    let order = match lifecycle::run(&mut write, order.id, transition, detail).await? {
        Ok(order) => order,
        Err(refused) => return Ok(Err(refused.user_error(transition))),
    };
    write.commit().await?;
    Ok(Ok(Changed {
        stored: (changed, lines),
        order,
    }))
}

/// Counts the return's units back on the shipments; the units counted, and where they go
/// back on hand (lines whose variant was deleted have no stock row to go to). Units a
/// restocking refund counted back meanwhile are not counted, or restocked, again.
async fn count_back(
    write: &Write,
    lines: &[return_line::Model],
) -> ApiResult<(i32, Vec<Allocation>)> {
    let mut counted = 0;
    let mut stock = Vec::new();
    for line in lines {
        let back = returned::count_back(write, line.order_line_id, line.quantity).await?;
        let variant = order_line::Entity::find()
            .filter(order_line::Column::Id.eq(line.order_line_id))
            .one(write.txn())
            .await?
            .and_then(|l| l.variant_id);
        for units in back {
            counted += units.quantity;
            if let Some(variant_id) = variant {
                stock.push(Allocation {
                    variant_id,
                    warehouse_id: units.warehouse_id,
                    quantity: units.quantity,
                });
            }
        }
    }
    Ok((counted, stock))
}
