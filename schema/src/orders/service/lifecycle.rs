//! The order state machine and what each transition does to stock and payments.
//!
//! ```text
//! PLACED ──pay──► PAID ──fulfil──► FULFILLED
//!   │               │                  │
//!   └──cancel──► CANCELLED ◄─cancel─┘  │
//!                   PAID/FULFILLED ──refund──► REFUNDED
//! ```
//! Cancelling (and refunding an unshipped PAID order) releases the order's allocations and
//! gives the discounts it used their use back (`order_discounts`, each once); fulfilling
//! moves the allocations out of `onHand`. A refund after shipping keeps the discounts used:
//! the goods went out with them. Each transition is one conditional UPDATE of the
//! order's status (`WHERE status IN (allowed sources)`), so two staff members clicking at
//! once cannot both apply it, and is recorded in the order's events and the outbox.

use super::checkout::reopen_cart;
use super::records::{self, Happening};
use crate::common::clock::now;
use crate::common::transaction::begin_write;
use crate::common::user_error::{ErrorCode, UserError};
use crate::discounts::service as discounts;
use crate::error::ApiResult;
use crate::inventory::service::allocation::{self, Allocation};
use entities::enums::{OrderEventKind, OrderStatus, PaymentStatus};
use entities::{order, order_allocation, order_discount, order_line, payment};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
};
use uuid::Uuid;

/// A change staff (or a payment) make to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    MarkPaid,
    Fulfil,
    Cancel,
    Refund,
    /// The provider declined: only an unpaid (PLACED) order is cancelled, so a late or
    /// reordered failure notice cannot cancel a paid order.
    Decline,
}

impl Transition {
    fn sources(self) -> &'static [OrderStatus] {
        match self {
            Self::MarkPaid => &[OrderStatus::Placed],
            Self::Fulfil => &[OrderStatus::Paid],
            Self::Cancel => &[OrderStatus::Placed, OrderStatus::Paid],
            Self::Refund => &[OrderStatus::Paid, OrderStatus::Fulfilled],
            Self::Decline => &[OrderStatus::Placed],
        }
    }

    fn target(self) -> OrderStatus {
        match self {
            Self::MarkPaid => OrderStatus::Paid,
            Self::Fulfil => OrderStatus::Fulfilled,
            Self::Cancel | Self::Decline => OrderStatus::Cancelled,
            Self::Refund => OrderStatus::Refunded,
        }
    }

    fn kind(self) -> OrderEventKind {
        match self {
            Self::MarkPaid => OrderEventKind::Paid,
            Self::Fulfil => OrderEventKind::Fulfilled,
            Self::Cancel | Self::Decline => OrderEventKind::Cancelled,
            Self::Refund => OrderEventKind::Refunded,
        }
    }

    /// Whether applying it from `from` undoes the purchase: the stock goes back and the
    /// discounts' uses are given back.
    fn undoes_purchase(self, from: OrderStatus) -> bool {
        matches!(self, Self::Cancel | Self::Decline)
            || (self == Self::Refund && from == OrderStatus::Paid)
    }

    fn verb(self) -> &'static str {
        match self {
            Self::MarkPaid => "marked paid",
            Self::Fulfil => "fulfilled",
            Self::Cancel | Self::Decline => "cancelled",
            Self::Refund => "refunded",
        }
    }
}

/// Applies `transition` to order `order_id` as `actor`; an illegal one is a user error.
pub async fn apply(
    db: &DatabaseConnection,
    order_id: Uuid,
    transition: Transition,
    actor: Option<Uuid>,
    note: Option<String>,
) -> ApiResult<Result<order::Model, UserError>> {
    let txn = begin_write(db).await?;
    let Some((from, changed)) = change_status(&txn, order_id, transition).await? else {
        drop(txn);
        return Ok(Err(refusal(db, order_id, transition).await?));
    };
    settle_stock(&txn, &changed, from, transition).await?;
    if transition.undoes_purchase(from) {
        return_discounts(&txn, order_id).await?;
    }
    let payment_status = match transition {
        Transition::MarkPaid => Some(PaymentStatus::Paid),
        Transition::Refund => Some(PaymentStatus::Refunded),
        Transition::Fulfil | Transition::Cancel | Transition::Decline => None,
    };
    if let Some(status) = payment_status {
        set_payment_status(&txn, order_id, status, None).await?;
    }
    records::record(
        &txn,
        Happening {
            kind: transition.kind(),
            from: Some(from),
            message: note,
            actor,
            order: &changed,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(changed))
}

/// A provider confirmed payment (checkout's `test` provider, or a webhook): PLACED → PAID.
/// `None` when the order was not PLACED any more (a repeated confirmation changes nothing).
pub async fn record_payment(
    db: &DatabaseConnection,
    order_id: Uuid,
    reference: Option<&str>,
    actor: Option<Uuid>,
) -> ApiResult<Option<order::Model>> {
    let txn = begin_write(db).await?;
    let Some((from, paid)) = change_status(&txn, order_id, Transition::MarkPaid).await? else {
        return Ok(None);
    };
    set_payment_status(&txn, order_id, PaymentStatus::Paid, reference).await?;
    records::record(
        &txn,
        Happening {
            kind: OrderEventKind::Paid,
            from: Some(from),
            message: reference.map(|r| format!("payment {r}")),
            actor,
            order: &paid,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Some(paid))
}

/// The provider declined: cancel the order, release its stock, give the discounts' usage
/// back and reopen the cart so the shopper can pay another way.
pub async fn decline(
    db: &DatabaseConnection,
    order_id: Uuid,
    reason: &str,
) -> ApiResult<Option<order::Model>> {
    let txn = begin_write(db).await?;
    let Some((from, cancelled)) = change_status(&txn, order_id, Transition::Decline).await? else {
        return Ok(None);
    };
    settle_stock(&txn, &cancelled, from, Transition::Decline).await?;
    set_payment_status(&txn, order_id, PaymentStatus::Declined, None).await?;
    return_discounts(&txn, order_id).await?;
    reopen_cart(&txn, cancelled.cart_id).await?;
    for (kind, message) in [
        (OrderEventKind::PaymentDeclined, Some(reason.to_owned())),
        (
            OrderEventKind::Cancelled,
            Some("payment declined".to_owned()),
        ),
    ] {
        records::record(
            &txn,
            Happening {
                kind,
                from: Some(from),
                message,
                actor: None,
                order: &cancelled,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Some(cancelled))
}

/// Remembers the provider's id for a pending payment (for its webhooks).
pub async fn set_payment_reference(
    db: &DatabaseConnection,
    order_id: Uuid,
    reference: &str,
) -> ApiResult<()> {
    payment::Entity::update_many()
        .col_expr(payment::Column::ProviderReference, Expr::value(reference))
        .col_expr(payment::Column::UpdatedAt, Expr::value(now()))
        .filter(payment::Column::OrderId.eq(order_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The conditional status change: `Some((previous status, order))` when it applied.
async fn change_status(
    txn: &DatabaseTransaction,
    order_id: Uuid,
    transition: Transition,
) -> ApiResult<Option<(OrderStatus, order::Model)>> {
    // The previous status is needed for the history; read it under the same guard.
    let Some(before) = order::Entity::find_by_id(order_id)
        .filter(order::Column::Status.is_in(transition.sources().iter().copied()))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let changed = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(transition.target()))
        .col_expr(order::Column::UpdatedAt, Expr::value(now()))
        .filter(order::Column::Id.eq(order_id))
        .filter(order::Column::Status.eq(before.status))
        .exec_with_returning(txn)
        .await?;
    Ok(changed
        .into_iter()
        .next()
        .map(|order| (before.status, order)))
}

async fn refusal(
    db: &DatabaseConnection,
    order_id: Uuid,
    transition: Transition,
) -> ApiResult<UserError> {
    Ok(match order::Entity::find_by_id(order_id).one(db).await? {
        None => UserError::new(&["id"], ErrorCode::NotFound, "no order with this id"),
        Some(order) => UserError::new(
            &["id"],
            ErrorCode::IllegalTransition,
            format!(
                "a {} order cannot be {}",
                status_name(order.status),
                transition.verb()
            ),
        ),
    })
}

pub fn status_name(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Placed => "PLACED",
        OrderStatus::Paid => "PAID",
        OrderStatus::Fulfilled => "FULFILLED",
        OrderStatus::Cancelled => "CANCELLED",
        OrderStatus::Refunded => "REFUNDED",
    }
}

/// Releases or ships the order's allocated stock, as the transition requires.
async fn settle_stock(
    txn: &DatabaseTransaction,
    order: &order::Model,
    from: OrderStatus,
    transition: Transition,
) -> ApiResult<()> {
    let releases = transition.undoes_purchase(from);
    let ships = transition == Transition::Fulfil;
    if !releases && !ships {
        return Ok(());
    }
    let allocations = allocations_of(txn, order.id).await?;
    if releases {
        allocation::release(txn, &allocations).await?;
    } else {
        allocation::fulfil(txn, &allocations).await?;
    }
    Ok(())
}

/// Gives back the uses of the discounts the order used that were not given back yet: the
/// rows are marked returned by the same statement that finds them, so each use comes back
/// once whichever way (and however often) the order is undone.
async fn return_discounts(txn: &DatabaseTransaction, order_id: Uuid) -> ApiResult<()> {
    let returned = order_discount::Entity::update_many()
        .col_expr(order_discount::Column::ReturnedAt, Expr::value(now()))
        .filter(order_discount::Column::OrderId.eq(order_id))
        .filter(order_discount::Column::ReturnedAt.is_null())
        .exec_with_returning(txn)
        .await?;
    let ids: Vec<Uuid> = returned.iter().filter_map(|row| row.discount_id).collect();
    discounts::give_back(txn, &ids).await
}

async fn allocations_of(txn: &impl ConnectionTrait, order_id: Uuid) -> ApiResult<Vec<Allocation>> {
    let rows = order_allocation::Entity::find()
        .find_also_related(order_line::Entity)
        .filter(order_line::Column::OrderId.eq(order_id))
        .all(txn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(allocation, line)| {
            Some(Allocation {
                variant_id: line?.variant_id?,
                warehouse_id: allocation.warehouse_id,
                quantity: allocation.quantity,
            })
        })
        .collect())
}

async fn set_payment_status(
    txn: &impl ConnectionTrait,
    order_id: Uuid,
    status: PaymentStatus,
    reference: Option<&str>,
) -> ApiResult<()> {
    let mut update = payment::Entity::update_many()
        .col_expr(payment::Column::Status, Expr::value(status))
        .col_expr(payment::Column::UpdatedAt, Expr::value(now()));
    if let Some(reference) = reference {
        update = update.col_expr(payment::Column::ProviderReference, Expr::value(reference));
    }
    update
        .filter(payment::Column::OrderId.eq(order_id))
        .exec(txn)
        .await?;
    Ok(())
}
