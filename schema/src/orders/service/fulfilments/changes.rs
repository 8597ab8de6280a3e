//! What happens to a shipment after it left: new tracking, delivery, or cancellation.

use super::Shipped;
use super::shipment::Tracking;
use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::inventory::service::allocation::{self, Allocation};
use crate::orders::service::lifecycle::{self, Detail, Refused};
use crate::orders::service::records::{self, Happening};
use crate::orders::service::transitions::{self, OrderAction, State};
use crate::unit_of_work::{Write, Writer};
use entities::enums::{FulfillmentStatus, OrderEventKind};
use entities::{fulfillment, fulfillment_line, order, order_allocation, order_line};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// The shipment and its order after a change.
pub struct Changed {
    pub fulfillment: Shipped,
    pub order: order::Model,
}

fn not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no fulfillment with this id")
}

fn illegal(status: FulfillmentStatus, verb: &str) -> UserError {
    let name = match status {
        FulfillmentStatus::Shipped => "SHIPPED",
        FulfillmentStatus::Delivered => "DELIVERED",
        FulfillmentStatus::Cancelled => "CANCELLED",
    };
    UserError::new(
        &["id"],
        ErrorCode::IllegalTransition,
        format!("a {name} fulfillment cannot be {verb}"),
    )
}

async fn load(write: &Write, id: Uuid) -> ApiResult<Option<(Shipped, order::Model)>> {
    let Some(found) = fulfillment::Entity::find_by_id(id).one(write.txn()).await? else {
        return Ok(None);
    };
    let Some(order) = records::lock_order(write, found.order_id).await? else {
        return Ok(None);
    };
    // Read again under the order's lock: a change that held it has committed by now.
    let Some(shipment) = fulfillment::Entity::find_by_id(id).one(write.txn()).await? else {
        return Ok(None);
    };
    let lines = fulfillment_line::Entity::find()
        .filter(fulfillment_line::Column::FulfillmentId.eq(id))
        .all(write.txn())
        .await?;
    Ok(Some(((shipment, lines), order)))
}

/// `fulfillmentTrackingUpdate`: new tracking for a shipment that was not cancelled; the
/// order's subscribers see it.
pub async fn update_tracking(
    writer: &Writer,
    id: Uuid,
    tracking: Tracking,
    actor: Option<Uuid>,
) -> ApiResult<Result<Changed, UserError>> {
    let tracking = match tracking.clean() {
        Ok(tracking) => tracking,
        Err(error) => return Ok(Err(error)),
    };
    let mut write = writer.begin().await?;
    let Some(((shipment, lines), order)) = load(&write, id).await? else {
        return Ok(Err(not_found()));
    };
    if shipment.status == FulfillmentStatus::Cancelled {
        return Ok(Err(illegal(shipment.status, "tracked")));
    }
    let mut active: fulfillment::ActiveModel = shipment.into();
    active.tracking_company = Set(tracking.company.clone());
    active.tracking_number = Set(tracking.number.clone());
    active.tracking_url = Set(tracking.url.clone());
    active.updated_at = Set(now());
    let shipment = active.update(write.txn()).await?;
    note(
        &mut write,
        &order,
        OrderEventKind::TrackingUpdated,
        tracking.summary(),
        actor,
    )
    .await?;
    write.commit().await?;
    Ok(Ok(Changed {
        fulfillment: (shipment, lines),
        order,
    }))
}

/// `fulfillmentMarkDelivered`: the shipment arrived; when it was the last one out and the
/// order is fully shipped, the order is DELIVERED.
pub async fn mark_delivered(
    writer: &Writer,
    id: Uuid,
    actor: Option<Uuid>,
) -> ApiResult<Result<Changed, UserError>> {
    let mut write = writer.begin().await?;
    let Some(((shipment, lines), order)) = load(&write, id).await? else {
        return Ok(Err(not_found()));
    };
    let Some(delivered) = set_status(&write, &shipment, FulfillmentStatus::Delivered).await? else {
        return Ok(Err(illegal(shipment.status, "delivered")));
    };
    let still_out = fulfillment::Entity::find()
        .filter(fulfillment::Column::OrderId.eq(order.id))
        .filter(fulfillment::Column::Status.eq(FulfillmentStatus::Shipped))
        .one(write.txn())
        .await?
        .is_some();
    let order =
        if !still_out && transitions::find(State::of(&order), OrderAction::Deliver).is_some() {
            let detail = Detail {
                actor,
                note: Some("every shipment delivered".into()),
                ..Detail::default()
            };
            match lifecycle::run(&mut write, order.id, OrderAction::Deliver, detail).await? {
                Ok(order) => order,
                Err(refused) => return Ok(Err(refused.user_error(OrderAction::Deliver))),
            }
        } else {
            let message = Some("a shipment was delivered".to_owned());
            note(
                &mut write,
                &order,
                OrderEventKind::Delivered,
                message,
                actor,
            )
            .await?;
            order
        };
    write.commit().await?;
    Ok(Ok(Changed {
        fulfillment: (delivered, lines),
        order,
    }))
}

/// `fulfillmentCancel`: a shipment called back before delivery; its units (those not
/// returned already) are on hand and allocated to the order again.
pub async fn cancel(
    writer: &Writer,
    id: Uuid,
    actor: Option<Uuid>,
) -> ApiResult<Result<Changed, UserError>> {
    let mut write = writer.begin().await?;
    let Some(((shipment, lines), order)) = load(&write, id).await? else {
        return Ok(Err(not_found()));
    };
    let state = State::of(&order);
    if transitions::find(state, OrderAction::Unship).is_none()
        && transitions::find(state, OrderAction::UnshipAll).is_none()
    {
        return Ok(Err(
            Refused::Illegal(state).user_error_at(OrderAction::Unship, "id")
        ));
    }
    let Some(cancelled) = set_status(&write, &shipment, FulfillmentStatus::Cancelled).await? else {
        return Ok(Err(illegal(shipment.status, "cancelled")));
    };
    let mut back = Vec::new();
    for line in &lines {
        let units = line.quantity - line.returned_quantity;
        order_line::Entity::update_many()
            .col_expr(
                order_line::Column::ShippedQuantity,
                Expr::col(order_line::Column::ShippedQuantity).sub(line.quantity),
            )
            .filter(order_line::Column::Id.eq(line.order_line_id))
            .exec(write.txn())
            .await?;
        if units <= 0 {
            continue;
        }
        reallocate(&write, line.order_line_id, line.warehouse_id, units).await?;
        let variant = order_line::Entity::find_by_id(line.order_line_id)
            .one(write.txn())
            .await?
            .and_then(|l| l.variant_id);
        if let Some(variant_id) = variant {
            back.push(Allocation {
                variant_id,
                warehouse_id: line.warehouse_id,
                quantity: units,
            });
        }
    }
    allocation::unship(&mut write, &back).await?;
    let anything_shipped = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order.id))
        .filter(order_line::Column::ShippedQuantity.gt(0))
        .one(write.txn())
        .await?
        .is_some();
    let action = if anything_shipped {
        OrderAction::Unship
    } else {
        OrderAction::UnshipAll
    };
    let detail = Detail {
        actor,
        note: Some("a shipment was cancelled; its units are allocated again".into()),
        ..Detail::default()
    };
    let order = match lifecycle::run(&mut write, order.id, action, detail).await? {
        Ok(order) => order,
        Err(refused) => return Ok(Err(refused.user_error_at(action, "id"))),
    };
    write.commit().await?;
    Ok(Ok(Changed {
        fulfillment: (cancelled, lines),
        order,
    }))
}

/// Moves a SHIPPED shipment to `status` (guarded: a concurrent change wins once).
async fn set_status(
    write: &Write,
    shipment: &fulfillment::Model,
    status: FulfillmentStatus,
) -> ApiResult<Option<fulfillment::Model>> {
    let at = now();
    let mut update = fulfillment::Entity::update_many()
        .col_expr(fulfillment::Column::Status, Expr::value(status))
        .col_expr(fulfillment::Column::UpdatedAt, Expr::value(at))
        .filter(fulfillment::Column::Id.eq(shipment.id))
        .filter(fulfillment::Column::Status.eq(FulfillmentStatus::Shipped));
    update = match status {
        FulfillmentStatus::Delivered => {
            update.col_expr(fulfillment::Column::DeliveredAt, Expr::value(at))
        }
        FulfillmentStatus::Cancelled => {
            update.col_expr(fulfillment::Column::CancelledAt, Expr::value(at))
        }
        FulfillmentStatus::Shipped => update,
    };
    Ok(update
        .exec_with_returning(write.txn())
        .await?
        .into_iter()
        .next())
}

/// Units back on the order's allocation row for the line and warehouse.
async fn reallocate(write: &Write, line: Uuid, warehouse: Uuid, units: i32) -> ApiResult<()> {
    let grown = order_allocation::Entity::update_many()
        .col_expr(
            order_allocation::Column::Quantity,
            Expr::col(order_allocation::Column::Quantity).add(units),
        )
        .filter(order_allocation::Column::OrderLineId.eq(line))
        .filter(order_allocation::Column::WarehouseId.eq(warehouse))
        .exec(write.txn())
        .await?;
    if grown.rows_affected == 0 {
        order_allocation::ActiveModel {
            order_line_id: Set(line),
            warehouse_id: Set(warehouse),
            quantity: Set(units),
        }
        .insert(write.txn())
        .await?;
    }
    Ok(())
}

/// A history entry (and `orderUpdated`) without a change of state.
async fn note(
    write: &mut Write,
    order: &order::Model,
    kind: OrderEventKind,
    message: Option<String>,
    actor: Option<Uuid>,
) -> ApiResult<()> {
    records::record(
        write,
        Happening {
            kind,
            from: Some(order.status),
            message,
            actor,
            order,
        },
    )
    .await
}
