//! Writing what happened to an order: its `events` history and the outbox event that
//! `orderUpdated` subscribers receive — always together, in the caller's transaction.

use crate::common::clock::now;
use crate::error::{ApiError, ApiResult};
use crate::events::{DomainEvent, outbox};
use crate::orders::events::OrderUpdate;
use entities::enums::{OrderEventKind, OrderStatus};
use entities::{order, order_event, sequence};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// One entry of an order's history.
pub struct Happening<'a> {
    pub kind: OrderEventKind,
    pub from: Option<OrderStatus>,
    pub message: Option<String>,
    pub actor: Option<Uuid>,
    pub order: &'a order::Model,
}

/// Records `happening` in the order's history and the outbox.
pub async fn record(txn: &impl ConnectionTrait, happening: Happening<'_>) -> ApiResult<()> {
    record_with(txn, happening, Vec::new()).await
}

/// `record`, writing `other_events` to the outbox in the same INSERT (checkout's stock
/// events).
pub async fn record_with(
    txn: &impl ConnectionTrait,
    happening: Happening<'_>,
    mut other_events: Vec<DomainEvent>,
) -> ApiResult<()> {
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
    .insert(txn)
    .await?;
    let update = OrderUpdate {
        event_id: Uuid::now_v7(),
        order_id: order.id,
        customer_id: order.customer_id,
        status: order.status,
        occurred_at: at,
    };
    other_events.push(DomainEvent::OrderUpdated(update));
    outbox::record_all(txn, &other_events).await
}

/// The next order number. PostgreSQL: `nextval` of the `order_numbers` sequence, which
/// locks nothing (a rolled-back checkout leaves a gap). SQLite, which serialises writers
/// anyway: one increment of the `sequences` row.
pub async fn next_order_number(txn: &impl ConnectionTrait) -> ApiResult<i64> {
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let row = txn
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT nextval('order_numbers') AS value",
            ))
            .await?
            .ok_or_else(|| ApiError::Internal("nextval returned no row".into()))?;
        return Ok(row.try_get::<i64>("", "value")?);
    }
    let rows = sequence::Entity::update_many()
        .col_expr(
            sequence::Column::Value,
            Expr::col(sequence::Column::Value).add(1),
        )
        .filter(sequence::Column::Name.eq("order_number"))
        .exec_with_returning(txn)
        .await?;
    rows.first()
        .map(|row| row.value)
        .ok_or_else(|| ApiError::Internal("the order_number sequence row is missing".into()))
}
