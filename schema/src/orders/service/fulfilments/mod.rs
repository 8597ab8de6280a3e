//! Shipping an order's units (SPEC §8 "Fulfilment").
//!
//! An order's allocation rows are the units allocated and not shipped yet. A shipment takes
//! units off them with guarded decrements (`quantity >= n`: of twenty staff shipping the
//! last unit at once, one succeeds), moves them onto a fulfilment per warehouse, and hands
//! them to inventory, where `onHand` and `allocated` drop in one guarded statement. The order
//! then moves through the process table: `ShipPart` while units remain allocated, `Fulfil`
//! when none do. `orderFulfill` is the same with every remaining unit and no tracking.
//! Units that come back (returns, restocking refunds) are counted on the shipment lines
//! they left on (`returned`).

pub mod changes;
pub(crate) mod returned;
mod shipment;

pub(crate) use shipment::decrement;
pub use shipment::{Tracking, ship_rest};

use super::lifecycle::{self, Detail, Refused};
use super::records;
use super::transitions::{self, OrderAction, State};
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::unit_of_work::Writer;
use entities::{fulfillment, fulfillment_line, order, order_line};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::HashSet;
use uuid::Uuid;

/// Units of one order line to ship.
#[derive(Clone, Copy, Debug)]
pub struct LineRequest {
    pub order_line_id: Uuid,
    pub quantity: i32,
}

pub struct ShipmentRequest {
    pub order_id: Uuid,
    pub lines: Vec<LineRequest>,
    pub tracking: Tracking,
    pub actor: Option<Uuid>,
    /// Whether the customer gets a "shipped" mail (kept on the shipment for the mailer).
    pub notify_customer: bool,
}

/// A shipment with its lines.
pub type Shipped = (fulfillment::Model, Vec<fulfillment_line::Model>);

/// The shipments made (one per warehouse the units came from) and the order after them.
pub struct ShipmentOutcome {
    pub fulfillments: Vec<Shipped>,
    pub order: order::Model,
}

/// `fulfillmentCreate`: ships the given units of a PAID order, all or none.
pub async fn create(
    writer: &Writer,
    request: ShipmentRequest,
) -> ApiResult<Result<ShipmentOutcome, UserError>> {
    if let Err(error) = check_lines(&request.lines) {
        return Ok(Err(error));
    }
    let tracking = match request.tracking.clean() {
        Ok(tracking) => tracking,
        Err(error) => return Ok(Err(error)),
    };
    let mut write = writer.begin().await?;
    let Some(order) = records::lock_order(&write, request.order_id).await? else {
        return Ok(Err(
            Refused::NotFound.user_error_at(OrderAction::ShipPart, "orderId")
        ));
    };
    let state = State::of(&order);
    if transitions::find(state, OrderAction::ShipPart).is_none() {
        return Ok(Err(
            Refused::Illegal(state).user_error_at(OrderAction::ShipPart, "orderId")
        ));
    }
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order.id))
        .all(write.txn())
        .await?;
    if request.lines.len() > lines.len() {
        return Ok(Err(UserError::new(
            &["input", "lines"],
            ErrorCode::Invalid,
            format!("the order has {} line(s)", lines.len()),
        )));
    }
    let mut wanted = Vec::with_capacity(request.lines.len());
    for (index, line) in request.lines.iter().enumerate() {
        let Some(ordered) = lines.iter().find(|l| l.id == line.order_line_id) else {
            let index = index.to_string();
            return Ok(Err(UserError::new(
                &["input", "lines", &index, "orderLineId"],
                ErrorCode::NotFound,
                "no line with this id on this order",
            )));
        };
        wanted.push((ordered.clone(), line.quantity));
    }
    let taken = match shipment::take(&write, &wanted).await? {
        Ok(taken) => taken,
        // Dropping the unit puts back what was taken so far.
        Err(error) => return Ok(Err(error)),
    };
    let fulfillments = shipment::record(
        &mut write,
        order.id,
        &taken,
        &tracking,
        request.actor,
        request.notify_customer,
    )
    .await?;
    let action = if shipment::anything_left(&write, order.id).await? {
        OrderAction::ShipPart
    } else {
        OrderAction::Fulfil
    };
    let detail = Detail {
        actor: request.actor,
        note: tracking.summary(),
        ..Detail::default()
    };
    let moved = lifecycle::run(&mut write, order.id, action, detail).await?;
    let order = match moved {
        Ok(order) => order,
        Err(refused) => return Ok(Err(refused.user_error_at(action, "orderId"))),
    };
    write.commit().await?;
    Ok(Ok(ShipmentOutcome {
        fulfillments,
        order,
    }))
}

/// At least one line, each listed once with at least one unit.
fn check_lines(lines: &[LineRequest]) -> Result<(), UserError> {
    if lines.is_empty() {
        return Err(UserError::new(
            &["input", "lines"],
            ErrorCode::Invalid,
            "ship at least one line (orderFulfill ships everything left)",
        ));
    }
    let mut seen = HashSet::new();
    for (index, line) in lines.iter().enumerate() {
        let index = index.to_string();
        if line.quantity < 1 {
            return Err(UserError::new(
                &["input", "lines", &index, "quantity"],
                ErrorCode::Invalid,
                "must be at least 1",
            ));
        }
        if !seen.insert(line.order_line_id) {
            return Err(UserError::new(
                &["input", "lines", &index, "orderLineId"],
                ErrorCode::Invalid,
                "this line is listed twice",
            ));
        }
    }
    Ok(())
}
