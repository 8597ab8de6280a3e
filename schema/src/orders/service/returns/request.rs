//! `returnRequest`: who may ask, when, and for how many units (the rules are in `super`).

use super::{Changed, OPEN, note, summary};
use crate::common::clock::now;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::permissions::Permission;
use crate::customers::viewer::Viewer;
use crate::error::ApiResult;
use crate::orders::service::access_keys;
use crate::orders::service::fulfilments::returned;
use crate::orders::service::records;
use crate::orders::service::transitions::{self, OrderAction, State};
use crate::unit_of_work::{Write, Writer};
use chrono::{DateTime, Duration, Utc};
use entities::enums::{FulfillmentStatus, OrderEventKind, ReturnStatus};
use entities::{fulfillment, order, order_line, order_return, return_line};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Longest reason a customer may give for a line.
pub const MAX_REASON_LEN: usize = 500;

/// Units of one order line to send back, and why.
#[derive(Clone, Debug)]
pub struct LineRequest {
    pub order_line_id: Uuid,
    pub quantity: i32,
    pub reason: Option<String>,
}

pub struct ReturnRequest {
    pub order_id: Uuid,
    pub lines: Vec<LineRequest>,
    /// The order's access key, for a guest.
    pub access_key: Option<String>,
    /// Days after delivery returns stay open (`RETURN_WINDOW_DAYS`).
    pub window_days: u32,
}

fn no_order() -> UserError {
    UserError::new(&["orderId"], ErrorCode::NotFound, "no order with this id")
}

/// Records a REQUESTED return of the given units, all or nothing.
pub async fn create(
    writer: &Writer,
    viewer: &Viewer,
    request: ReturnRequest,
) -> ApiResult<Result<Changed, UserError>> {
    let lines = match clean_lines(&request.lines) {
        Ok(lines) => lines,
        Err(error) => return Ok(Err(error)),
    };
    let mut write = writer.begin().await?;
    // Locked first: concurrent requests (and receipts) of this order queue here and count
    // each other's units.
    let Some(order) = records::lock_order(&write, request.order_id).await? else {
        return Ok(Err(no_order()));
    };
    // A stranger learns nothing, not even that the order exists.
    if !may_request(&write, viewer, &order, request.access_key.as_deref()).await? {
        return Ok(Err(no_order()));
    }
    let state = State::of(&order);
    if transitions::find(state, OrderAction::ReturnPart).is_none() {
        return Ok(Err(UserError::new(
            &["orderId"],
            ErrorCode::IllegalTransition,
            format!(
                "returns open once the order is delivered (its fulfilment is {})",
                transitions::fulfillment_status_name(state.fulfillment)
            ),
        )));
    }
    if let Err(error) = within_window(&write, order.id, request.window_days).await? {
        return Ok(Err(error));
    }
    let order_lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order.id))
        .all(write.txn())
        .await?;
    if let Err(error) = check_units(&write, order.id, &order_lines, &lines).await? {
        return Ok(Err(error));
    }
    let stored = insert(&write, order.id, viewer.account_id(), &lines).await?;
    let message = format!("return asked for: {}", summary(&stored.1, &order_lines));
    let actor = viewer.account_id();
    note(
        &mut write,
        &order,
        OrderEventKind::ReturnRequested,
        message,
        actor,
    )
    .await?;
    write.commit().await?;
    Ok(Ok(Changed { stored, order }))
}

/// At least one line, each once, with at least one unit and a reason of one short text.
fn clean_lines(lines: &[LineRequest]) -> Result<Vec<LineRequest>, UserError> {
    if lines.is_empty() {
        return Err(UserError::new(
            &["lines"],
            ErrorCode::Invalid,
            "name at least one line to return",
        ));
    }
    let mut seen = HashSet::new();
    let mut clean = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let index = index.to_string();
        if line.quantity < 1 {
            return Err(UserError::new(
                &["lines", &index, "quantity"],
                ErrorCode::Invalid,
                "must be at least 1",
            ));
        }
        if !seen.insert(line.order_line_id) {
            return Err(UserError::new(
                &["lines", &index, "orderLineId"],
                ErrorCode::Invalid,
                "this line is listed twice",
            ));
        }
        let reason =
            text::optional_block(line.reason.as_deref(), MAX_REASON_LEN).map_err(|problem| {
                UserError::new(
                    &["lines", &index, "reason"],
                    ErrorCode::Invalid,
                    problem.to_string(),
                )
            })?;
        clean.push(LineRequest {
            reason,
            ..line.clone()
        });
    }
    Ok(clean)
}

/// The order's owner, staff who manage orders, or whoever holds one of its access keys.
async fn may_request(
    write: &Write,
    viewer: &Viewer,
    order: &order::Model,
    access_key: Option<&str>,
) -> ApiResult<bool> {
    let owner = order.customer_id.is_some() && order.customer_id == viewer.account_id();
    if owner || viewer.has(Permission::ManageOrders) {
        return Ok(true);
    }
    match access_key {
        Some(key) => access_keys::opens(write.txn(), key, order.id).await,
        None => Ok(false),
    }
}

/// The window closes `days` after the order's last shipment was delivered.
async fn within_window(
    write: &Write,
    order_id: Uuid,
    days: u32,
) -> ApiResult<Result<(), UserError>> {
    let delivered: Vec<Option<DateTime<Utc>>> = fulfillment::Entity::find()
        .select_only()
        .column(fulfillment::Column::DeliveredAt)
        .filter(fulfillment::Column::OrderId.eq(order_id))
        .filter(fulfillment::Column::Status.eq(FulfillmentStatus::Delivered))
        .into_tuple()
        .all(write.txn())
        .await?;
    let Some(delivered) = delivered.into_iter().flatten().max() else {
        return Ok(Err(UserError::new(
            &["orderId"],
            ErrorCode::IllegalTransition,
            "returns open once the order is delivered",
        )));
    };
    Ok(check_window(delivered, days, now()))
}

/// Whether `at` is within `days` of `delivered` (a window past the calendar's end never
/// closes).
fn check_window(delivered: DateTime<Utc>, days: u32, at: DateTime<Utc>) -> Result<(), UserError> {
    let closes = delivered.checked_add_signed(Duration::days(i64::from(days)));
    match closes {
        Some(closes) if at > closes => Err(UserError::new(
            &["orderId"],
            ErrorCode::ReturnWindowClosed,
            format!(
                "returns closed {} ({days} days after delivery)",
                closes.format("%Y-%m-%d %H:%M UTC")
            ),
        )),
        _ => Ok(()),
    }
}

/// Each line is on the order, and asks for no more units than are still with the customer
/// and not in an open return already.
async fn check_units(
    write: &Write,
    order_id: Uuid,
    order_lines: &[order_line::Model],
    lines: &[LineRequest],
) -> ApiResult<Result<(), UserError>> {
    let out = returned::still_out(write, order_id).await?;
    let open = open_units(write, order_id).await?;
    for (index, line) in lines.iter().enumerate() {
        let index = index.to_string();
        let Some(ordered) = order_lines.iter().find(|l| l.id == line.order_line_id) else {
            return Ok(Err(UserError::new(
                &["lines", &index, "orderLineId"],
                ErrorCode::NotFound,
                "no line with this id on this order",
            )));
        };
        let out = out.get(&ordered.id).copied().unwrap_or(0);
        let returnable = (out - open.get(&ordered.id).copied().unwrap_or(0)).max(0);
        if line.quantity > returnable {
            return Ok(Err(UserError::new(
                &["lines", &index, "quantity"],
                ErrorCode::ReturnTooLarge,
                format!(
                    "only {returnable} unit(s) of {} can be returned (shipped, and not back or \
                     in another return)",
                    ordered.sku
                ),
            )));
        }
    }
    Ok(Ok(()))
}

/// Per order line, the units in the order's open returns.
async fn open_units(write: &Write, order_id: Uuid) -> ApiResult<HashMap<Uuid, i32>> {
    let rows = return_line::Entity::find()
        .inner_join(order_return::Entity)
        .filter(order_return::Column::OrderId.eq(order_id))
        .filter(order_return::Column::Status.is_in(OPEN))
        .all(write.txn())
        .await?;
    let mut open: HashMap<Uuid, i32> = HashMap::new();
    for row in rows {
        *open.entry(row.order_line_id).or_default() += row.quantity;
    }
    Ok(open)
}

async fn insert(
    write: &Write,
    order_id: Uuid,
    requested_by: Option<Uuid>,
    lines: &[LineRequest],
) -> ApiResult<super::StoredReturn> {
    let at = now();
    let stored = order_return::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order_id),
        status: Set(ReturnStatus::Requested),
        decline_reason: Set(None),
        restocked: Set(false),
        requested_by: Set(requested_by),
        created_at: Set(at),
        updated_at: Set(at),
        received_at: Set(None),
    }
    .insert(write.txn())
    .await?;
    let rows: Vec<return_line::Model> = lines
        .iter()
        .map(|line| return_line::Model {
            return_id: stored.id,
            order_line_id: line.order_line_id,
            quantity: line.quantity,
            reason: line.reason.clone(),
        })
        .collect();
    return_line::Entity::insert_many(rows.iter().cloned().map(return_line::ActiveModel::from))
        .exec_without_returning(write.txn())
        .await?;
    Ok((stored, rows))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn line(quantity: i32, reason: Option<&str>) -> LineRequest {
        LineRequest {
            order_line_id: Uuid::now_v7(),
            quantity,
            reason: reason.map(str::to_owned),
        }
    }

    fn code_at(result: Result<Vec<LineRequest>, UserError>) -> (ErrorCode, Vec<String>) {
        let error = result.err().unwrap();
        (error.code, error.field.unwrap_or_default())
    }

    #[test]
    fn bad_lines_are_refused_naming_the_field() {
        assert_eq!(code_at(clean_lines(&[])).1, ["lines"]);
        assert_eq!(
            code_at(clean_lines(&[line(0, None)])).1,
            ["lines", "0", "quantity"]
        );
        let twice = line(1, None);
        assert_eq!(
            code_at(clean_lines(&[twice.clone(), twice])).1,
            ["lines", "1", "orderLineId"]
        );
        let long = "x".repeat(MAX_REASON_LEN + 1);
        assert_eq!(
            code_at(clean_lines(&[line(1, Some(&long))])),
            (
                ErrorCode::Invalid,
                vec!["lines".into(), "0".into(), "reason".into()]
            )
        );
        let kept = clean_lines(&[line(2, Some("  too small \n")), line(1, Some("   "))]).unwrap();
        assert_eq!(kept[0].reason.as_deref(), Some("too small"));
        assert_eq!(kept[1].reason, None, "a blank reason is none");
    }

    #[test]
    fn the_window_closes_the_given_days_after_delivery() {
        let delivered = Utc::now();
        let day = Duration::days(1);
        assert!(check_window(delivered, 30, delivered + day * 29).is_ok());
        assert!(check_window(delivered, 30, delivered + day * 30).is_ok());
        let late = check_window(delivered, 30, delivered + day * 31)
            .err()
            .unwrap();
        assert_eq!(late.code, ErrorCode::ReturnWindowClosed);
        let closed = check_window(delivered, 0, delivered + Duration::seconds(1));
        assert_eq!(
            closed.err().map(|e| e.code),
            Some(ErrorCode::ReturnWindowClosed)
        );
        assert!(check_window(delivered, u32::MAX, delivered + day * 365).is_ok());
    }
}
