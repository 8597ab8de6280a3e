//! Counting sold units into the catalog's best-selling rank, off the checkout path: the
//! relay hands every order event to [`UnitsSoldCounter`] in the transaction that marks it
//! published, and the count changes there.
//!
//! Once per order, however often an event is handed over: `orders.units_counted` moves only
//! forward, by guarded UPDATEs — 0 → 1 when the order is placed (its lines' quantities are
//! added), 1 → 2 when it is cancelled (they are taken off again), 0 → 2 for an order
//! cancelled before it was counted. A repeated event finds the order already moved and
//! changes nothing. Refunds and returns do not take units off: the goods were sold, and
//! the rank is about demand.

use crate::catalog::service::units_sold::add_units_sold;
use crate::error::ApiResult;
use crate::events::DomainEvent;
use crate::events::relay::OutboxConsumer;
use crate::unit_of_work::Write;
use entities::enums::{OrderEventKind, OrderStatus};
use entities::{order, order_line};
use futures_util::future::BoxFuture;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

const NOT_COUNTED: i16 = 0;
const COUNTED: i16 = 1;
const TAKEN_BACK: i16 = 2;

/// Registered with the outbox relay (`OutboxRelay::with_consumer`).
#[derive(Default)]
pub struct UnitsSoldCounter;

impl OutboxConsumer for UnitsSoldCounter {
    fn name(&self) -> &'static str {
        "units-sold"
    }

    fn consume<'a>(
        &'a self,
        write: &'a mut Write,
        events: &'a [DomainEvent],
    ) -> BoxFuture<'a, ApiResult<bool>> {
        Box::pin(count(write, events))
    }
}

async fn count(write: &mut Write, events: &[DomainEvent]) -> ApiResult<bool> {
    let txn = write.txn();
    // Orders cancelled in this batch are walked event by event, in order: a placement and
    // its cancellation add, then take off. The others (placements, the common case) are
    // counted together: one guarded UPDATE and one read of their lines for the whole batch.
    let mut placed: BTreeSet<Uuid> = BTreeSet::new();
    let mut cancelled: BTreeSet<Uuid> = BTreeSet::new();
    for event in events {
        let DomainEvent::OrderUpdated(update) = event else {
            continue;
        };
        if update.status == OrderStatus::Cancelled {
            cancelled.insert(update.order_id);
        } else if update.kind == Some(OrderEventKind::Placed) {
            placed.insert(update.order_id);
        }
    }
    placed.retain(|id| !cancelled.contains(id));
    // Sums commute: every order's lines add into one map, written in one statement at the end.
    let mut deltas: BTreeMap<Uuid, i64> = BTreeMap::new();
    let counted = advance_all(txn, &placed, NOT_COUNTED, COUNTED).await?;
    add_lines(txn, &counted, 1, &mut deltas).await?;
    for event in events {
        let DomainEvent::OrderUpdated(update) = event else {
            continue;
        };
        if !cancelled.contains(&update.order_id) {
            continue;
        }
        let order = [update.order_id];
        if update.status == OrderStatus::Cancelled {
            if advance(txn, update.order_id, COUNTED, TAKEN_BACK).await? {
                add_lines(txn, &order, -1, &mut deltas).await?;
            }
            advance(txn, update.order_id, NOT_COUNTED, TAKEN_BACK).await?;
        } else if update.kind == Some(OrderEventKind::Placed)
            && advance(txn, update.order_id, NOT_COUNTED, COUNTED).await?
        {
            add_lines(txn, &order, 1, &mut deltas).await?;
        }
    }
    let deltas: Vec<(Uuid, i64)> = deltas.into_iter().collect();
    add_units_sold(txn, &deltas).await?;
    // Nothing queued to send: no wake-up needed.
    Ok(false)
}

/// Moves the order's count state `from` → `to`; whether this call moved it.
async fn advance(db: &impl ConnectionTrait, order_id: Uuid, from: i16, to: i16) -> ApiResult<bool> {
    Ok(!advance_all(db, &[order_id], from, to).await?.is_empty())
}

/// Moves the count state of those of `orders` still at `from` to `to`; returns the ones this
/// call moved (another relay may have moved the rest).
async fn advance_all(
    db: &impl ConnectionTrait,
    orders: impl IntoIterator<Item = &Uuid>,
    from: i16,
    to: i16,
) -> ApiResult<Vec<Uuid>> {
    let orders: Vec<Uuid> = orders.into_iter().copied().collect();
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let moved = order::Entity::update_many()
        .col_expr(order::Column::UnitsCounted, Expr::value(to))
        .filter(order::Column::Id.is_in(orders))
        .filter(order::Column::UnitsCounted.eq(from))
        .exec_with_returning(db)
        .await?;
    Ok(moved.into_iter().map(|order| order.id).collect())
}

/// Adds (`sign` 1) or takes off (−1) the orders' units per product into `deltas`. Lines
/// whose product was deleted since have no product to count.
async fn add_lines(
    db: &impl ConnectionTrait,
    orders: &[Uuid],
    sign: i64,
    deltas: &mut BTreeMap<Uuid, i64>,
) -> ApiResult<()> {
    if orders.is_empty() {
        return Ok(());
    }
    let lines: Vec<(Option<Uuid>, i32)> = order_line::Entity::find()
        .select_only()
        .column(order_line::Column::ProductId)
        .column(order_line::Column::Quantity)
        .filter(order_line::Column::OrderId.is_in(orders.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    for (product_id, quantity) in lines {
        if let Some(product_id) = product_id {
            *deltas.entry(product_id).or_default() += sign * i64::from(quantity);
        }
    }
    Ok(())
}
