//! Returns (SPEC §8 "Returns"): a customer sends units of a delivered order back.
//!
//! ```text
//! returnRequest   (the order's owner, a guest with its access key, or staff)  → REQUESTED
//! returnApprove   REQUESTED → APPROVED                                      (staff)
//! returnDecline   REQUESTED | APPROVED → DECLINED, with a reason            (staff)
//! returnReceive   REQUESTED | APPROVED → RECEIVED, restocked or not         (staff)
//! returnClose     RECEIVED → CLOSED, once its refund is made (or not owed)  (staff)
//! ```
//!
//! - A request needs the order delivered (its fulfilment DELIVERED or PARTIALLY_RETURNED:
//!   where the process table has a "return part" row) and the last shipment delivered no more
//!   than `RETURN_WINDOW_DAYS` ago (`RETURN_WINDOW_CLOSED` after). Per order line it may ask
//!   for at most the units shipped, minus those counted back (received returns, restocking
//!   refunds), minus those in open (REQUESTED or APPROVED) returns: `RETURN_TOO_LARGE`
//!   beyond. The order's row is locked first (`FOR UPDATE` on PostgreSQL; SQLite's writers
//!   queue), so concurrent requests count each other.
//! - Receiving without approval is allowed: the parcel in hand is the approval. The units are
//!   counted back on the shipments (`fulfilments::returned`, guarded, so never twice), put
//!   back on hand in the warehouse they left if staff restock (live `stockChanged`), and the
//!   order moves through the process table: RETURNED when no shipped unit is left with the
//!   customer, else PARTIALLY_RETURNED.
//! - Money is not part of a return: staff refund its lines with `orderRefundCreate` and
//!   `restock: false` (the return already counted the units), then close it. A refund does
//!   not close a return by itself: refunds and returns need not match line for line.
//! - Every step is one unit of work and writes the order's history (RETURN_REQUESTED, …), so
//!   it reaches `orderUpdated` and `Order.events`; the request is filed under the outbox
//!   topic RETURN_REQUESTED, the others under ORDER_UPDATED.

pub mod listing;
pub mod receive;
pub mod request;
pub mod review;

use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::orders::service::records::{self, Happening};
use crate::unit_of_work::Write;
use entities::enums::{OrderEventKind, ReturnStatus};
use entities::{order, order_return, return_line};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// A return with its lines.
pub type StoredReturn = (order_return::Model, Vec<return_line::Model>);

/// A return and its order after a change.
pub struct Changed {
    pub stored: StoredReturn,
    pub order: order::Model,
}

/// What staff do to a return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnAction {
    Approve,
    Decline,
    Receive,
    Close,
}

impl ReturnAction {
    /// The statuses the action starts from.
    pub fn from(self) -> &'static [ReturnStatus] {
        use ReturnStatus as R;
        match self {
            Self::Approve => &[R::Requested],
            Self::Decline | Self::Receive => &[R::Requested, R::Approved],
            Self::Close => &[R::Received],
        }
    }

    pub fn to(self) -> ReturnStatus {
        match self {
            Self::Approve => ReturnStatus::Approved,
            Self::Decline => ReturnStatus::Declined,
            Self::Receive => ReturnStatus::Received,
            Self::Close => ReturnStatus::Closed,
        }
    }

    /// The order's history entry.
    pub fn event(self) -> OrderEventKind {
        match self {
            Self::Approve => OrderEventKind::ReturnApproved,
            Self::Decline => OrderEventKind::ReturnDeclined,
            Self::Receive => OrderEventKind::ReturnReceived,
            Self::Close => OrderEventKind::ReturnClosed,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::Decline => "declined",
            Self::Receive => "received",
            Self::Close => "closed",
        }
    }
}

/// The name clients see.
pub fn status_name(status: ReturnStatus) -> &'static str {
    match status {
        ReturnStatus::Requested => "REQUESTED",
        ReturnStatus::Approved => "APPROVED",
        ReturnStatus::Declined => "DECLINED",
        ReturnStatus::Received => "RECEIVED",
        ReturnStatus::Closed => "CLOSED",
    }
}

/// Statuses whose units are on their way back (they count against what may still be asked).
pub const OPEN: [ReturnStatus; 2] = [ReturnStatus::Requested, ReturnStatus::Approved];

fn not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no return with this id")
}

fn illegal(status: ReturnStatus, action: ReturnAction) -> UserError {
    UserError::new(
        &["id"],
        ErrorCode::IllegalTransition,
        format!(
            "a {} return cannot be {}",
            status_name(status),
            action.verb()
        ),
    )
}

/// The return `id` with its lines and its order, the order's row locked for the rest of the
/// unit (PostgreSQL; SQLite's write transaction is exclusive anyway).
async fn load(write: &Write, id: Uuid) -> ApiResult<Option<(StoredReturn, order::Model)>> {
    let Some(found) = order_return::Entity::find_by_id(id)
        .one(write.txn())
        .await?
    else {
        return Ok(None);
    };
    let Some(order) = records::lock_order(write, found.order_id).await? else {
        return Ok(None);
    };
    // Read again under the order's lock: a change that held it has committed by now.
    let Some(found) = order_return::Entity::find_by_id(id)
        .one(write.txn())
        .await?
    else {
        return Ok(None);
    };
    let lines = return_line::Entity::find()
        .filter(return_line::Column::ReturnId.eq(id))
        .all(write.txn())
        .await?;
    Ok(Some(((found, lines), order)))
}

/// Moves the return by `action` if its status allows (one conditional UPDATE, so of two
/// staff clicking at once one wins), with `extra` columns set; the return as changed.
async fn change_status(
    write: &Write,
    id: Uuid,
    action: ReturnAction,
    extra: Vec<(order_return::Column, SimpleExpr)>,
) -> ApiResult<Option<order_return::Model>> {
    let mut update = order_return::Entity::update_many()
        .col_expr(order_return::Column::Status, Expr::value(action.to()))
        .col_expr(order_return::Column::UpdatedAt, Expr::value(now()));
    for (column, value) in extra {
        update = update.col_expr(column, value);
    }
    let changed = update
        .filter(order_return::Column::Id.eq(id))
        .filter(order_return::Column::Status.is_in(action.from().iter().copied()))
        .exec_with_returning(write.txn())
        .await?;
    Ok(changed.into_iter().next())
}

/// The order's history entry for a step of a return (and the event `orderUpdated`
/// subscribers receive), without a change of the order's own state.
async fn note(
    write: &mut Write,
    order: &order::Model,
    kind: OrderEventKind,
    message: String,
    actor: Option<Uuid>,
) -> ApiResult<()> {
    records::record(
        write,
        Happening {
            kind,
            from: Some(order.status),
            message: Some(message),
            actor,
            order,
        },
    )
    .await
}

/// "2 × SKU-1, 1 × SKU-2" for the order's history.
fn summary(lines: &[return_line::Model], order_lines: &[entities::order_line::Model]) -> String {
    lines
        .iter()
        .map(|line| {
            let sku = order_lines
                .iter()
                .find(|l| l.id == line.order_line_id)
                .map_or("?", |l| l.sku.as_str());
            format!("{} × {sku}", line.quantity)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The return's own process, cell by cell: which statuses each action starts from.
    #[test]
    fn each_action_starts_from_the_documented_statuses() {
        use ReturnStatus as R;
        let all = [
            R::Requested,
            R::Approved,
            R::Declined,
            R::Received,
            R::Closed,
        ];
        let allowed = |action: ReturnAction| -> Vec<&str> {
            all.iter()
                .filter(|s| action.from().contains(s))
                .map(|s| status_name(*s))
                .collect()
        };
        assert_eq!(allowed(ReturnAction::Approve), ["REQUESTED"]);
        assert_eq!(allowed(ReturnAction::Decline), ["REQUESTED", "APPROVED"]);
        assert_eq!(allowed(ReturnAction::Receive), ["REQUESTED", "APPROVED"]);
        assert_eq!(allowed(ReturnAction::Close), ["RECEIVED"]);
        // DECLINED and CLOSED are final; no action leads back to an open status.
        for action in [
            ReturnAction::Approve,
            ReturnAction::Decline,
            ReturnAction::Receive,
            ReturnAction::Close,
        ] {
            assert!(!action.from().contains(&R::Declined), "{action:?}");
            assert!(!action.from().contains(&R::Closed), "{action:?}");
            assert!(
                action.from().iter().all(|s| *s != action.to()),
                "{action:?}"
            );
        }
        assert_eq!(ReturnAction::Approve.to(), R::Approved);
        assert!(OPEN.contains(&ReturnAction::Approve.to()));
        assert!(!OPEN.contains(&ReturnAction::Decline.to()));
        assert!(!OPEN.contains(&ReturnAction::Receive.to()));
    }
}
