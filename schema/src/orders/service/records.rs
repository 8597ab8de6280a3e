//! Writing what happened to an order: its `events` history and the event that
//! `orderUpdated` subscribers receive — always together, in the caller's unit of work.

use crate::common::clock::now;
use crate::common::transaction::for_update;
use crate::error::{ApiError, ApiResult};
use crate::events::DomainEvent;
use crate::orders::events::OrderUpdate;
use crate::unit_of_work::Write;
use entities::enums::{OrderEventKind, OrderStatus};
use entities::{order, order_event};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult,
    Iterable, Set,
};
use uuid::Uuid;

/// Takes the order's row for the rest of the unit (`FOR UPDATE` on PostgreSQL; SQLite's write
/// transaction is exclusive anyway) and returns it as it is now.
///
/// Every unit that changes an order after checkout calls this first — shipments, their
/// changes, returns, refund claims and settlements, captures and voids, provider webhooks —
/// so they take their locks in one order (the order, then its payment and refunds, then lines,
/// allocations and stock) and queue on the order instead of each holding a row the other
/// wants. A refund's row inserts and a shipment's insert also lock the order (their foreign
/// keys), which is why it must come first rather than last.
pub async fn lock_order(write: &Write, order_id: Uuid) -> ApiResult<Option<order::Model>> {
    let query = order::Entity::find_by_id(order_id);
    // Every order-changing unit starts here: for a staff member's mutation, the order is what
    // the audit log says it changed.
    write.audit_target("Order", order_id);
    Ok(for_update(query, write.txn()).one(write.txn()).await?)
}

/// One entry of an order's history.
pub struct Happening<'a> {
    pub kind: OrderEventKind,
    pub from: Option<OrderStatus>,
    pub message: Option<String>,
    pub actor: Option<Uuid>,
    pub order: &'a order::Model,
}

/// Records `happening` in the order's history, and the event `orderUpdated` subscribers
/// receive on the unit of work.
pub async fn record(write: &mut Write, happening: Happening<'_>) -> ApiResult<()> {
    let at = now();
    let order = happening.order;
    order_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order.id),
        kind: Set(happening.kind),
        from_status: Set(happening.from),
        to_status: Set(Some(order.status)),
        message: Set(happening.message),
        actor_id: Set(happening.actor),
        created_at: Set(at),
    }
    .insert(write.txn())
    .await?;
    write.record(DomainEvent::OrderUpdated(OrderUpdate {
        event_id: Uuid::now_v7(),
        order_id: order.id,
        customer_id: order.customer_id,
        status: order.status,
        payment_status: Some(order.payment_status),
        kind: Some(happening.kind),
        occurred_at: at,
    }));
    Ok(())
}

/// Inserts `new` (its `number` is ignored) numbered by the database in the same statement,
/// and returns the row. PostgreSQL: `nextval` of the `order_numbers` sequence, which locks
/// nothing (a rolled-back checkout leaves a gap). SQLite, which serialises writers (the
/// write transaction is IMMEDIATE): one more than the highest number, or than the
/// `sequences` row's value before the first order. Numbering inside the INSERT saves
/// checkout a statement.
pub async fn insert_numbered(
    txn: &impl ConnectionTrait,
    new: order::ActiveModel,
) -> ApiResult<order::Model> {
    let backend = txn.get_database_backend();
    let number = if backend == DatabaseBackend::Postgres {
        Expr::cust("nextval('order_numbers')")
    } else {
        Expr::cust(
            "COALESCE((SELECT MAX(number) FROM orders), \
             (SELECT value FROM sequences WHERE name = 'order_number'), 0) + 1",
        )
    };
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for column in order::Column::iter() {
        if matches!(column, order::Column::Number) {
            columns.push(column);
            values.push(number.clone());
        } else if let ActiveValue::Set(value) = new.get(column) {
            columns.push(column);
            values.push(Expr::val(value));
        }
    }
    let mut insert = Query::insert();
    insert
        .into_table(order::Entity)
        .columns(columns)
        .values(values)
        .map_err(|err| ApiError::Internal(format!("order insert: {err}")))?
        .returning_all();
    order::Model::find_by_statement(backend.build(&insert))
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::Internal("the order INSERT returned no row".into()))
}
