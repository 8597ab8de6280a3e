//! Abandoned carts: a cart with an email and lines that nobody touched for
//! `CART_ABANDONED_AFTER_HOURS` raises CART_ABANDONED once (a webhook, and a reminder email
//! with a link back to the cart).
//!
//! Every replica runs the sweep now and then; each pass is one unit of work that takes a
//! batch of candidates (`SKIP LOCKED` on PostgreSQL, so replicas do not wait for each other)
//! and marks each with a guarded UPDATE (`abandoned_at IS NULL`) before recording its event:
//! however many replicas sweep, a cart is reported once. The mark stays, so a cart that is
//! changed, abandoned again or checked out later is never reminded a second time.

use crate::carts::events::CartAbandonment;
use crate::common::clock::now;
use crate::error::ApiResult;
use crate::events::DomainEvent;
use crate::unit_of_work::Writer;
use chrono::{DateTime, Utc};
use entities::enums::CartStatus;
use entities::{cart, cart_line};
use sea_orm::sea_query::{Expr, Func, LockBehavior, LockType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;
use std::time::Duration;
use uuid::Uuid;

/// Carts looked at per pass; the next pass takes the rest.
const BATCH: u64 = 200;

/// Reports the carts untouched since before `now − after` (with an email and lines, still
/// open, never reported); returns how many.
pub async fn sweep(writer: &Writer, after: Duration, now: DateTime<Utc>) -> ApiResult<usize> {
    let cutoff = now - chrono::Duration::from_std(after).unwrap_or(chrono::Duration::days(1));
    let mut write = writer.begin().await?;
    let with_lines = Query::select()
        .column(cart_line::Column::CartId)
        .from(cart_line::Entity)
        .to_owned();
    let mut candidates = cart::Entity::find()
        .filter(cart::Column::Status.eq(CartStatus::Active))
        .filter(cart::Column::Email.is_not_null())
        .filter(cart::Column::AbandonedAt.is_null())
        .filter(cart::Column::UpdatedAt.lt(cutoff))
        .filter(cart::Column::Id.in_subquery(with_lines))
        .order_by_asc(cart::Column::UpdatedAt)
        .limit(BATCH);
    if write.txn().get_database_backend() == DatabaseBackend::Postgres {
        candidates = candidates.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let candidates = candidates.all(write.txn()).await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = candidates.iter().map(|c| c.id).collect();
    // Guarded: a cart changed or reported since it was read is left alone.
    let marked: Vec<cart::Model> = cart::Entity::update_many()
        .col_expr(cart::Column::AbandonedAt, Expr::value(now))
        .filter(cart::Column::Id.is_in(ids.iter().copied()))
        .filter(cart::Column::AbandonedAt.is_null())
        .filter(cart::Column::UpdatedAt.lt(cutoff))
        .exec_with_returning(write.txn())
        .await?;
    let quantities = units_per_cart(&write, &ids).await?;
    for cart in &marked {
        let Some(email) = cart.email.clone() else {
            continue;
        };
        write.record(DomainEvent::CartAbandoned(CartAbandonment {
            event_id: Uuid::now_v7(),
            cart_id: cart.id,
            customer_id: cart.customer_id,
            email,
            currency_code: cart.currency_code.clone(),
            total_quantity: quantities.get(&cart.id).copied().unwrap_or(0),
            last_changed_at: cart.updated_at,
            occurred_at: now,
        }));
    }
    write.commit().await?;
    Ok(marked.len())
}

async fn units_per_cart(
    write: &crate::unit_of_work::Write,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = cart_line::Entity::find()
        .select_only()
        .column(cart_line::Column::CartId)
        .column_as(
            Expr::from(Func::cast_as(
                Func::sum(Expr::col(cart_line::Column::Quantity)),
                "BIGINT",
            )),
            "units",
        )
        .filter(cart_line::Column::CartId.is_in(ids.iter().copied()))
        .group_by(cart_line::Column::CartId)
        .into_tuple()
        .all(write.txn())
        .await?;
    Ok(rows.into_iter().collect())
}

/// Sweeps every `every` until `shutdown` resolves (failures are logged and retried at the
/// next pass: nothing is lost, the carts are still there).
pub async fn run(
    writer: Writer,
    after: Duration,
    every: Duration,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        match sweep(&writer, after, now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(carts = n, "abandoned carts reported"),
            Err(err) => tracing::warn!(error = %err, "abandoned-cart sweep failed; retrying later"),
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(every) => {}
        }
    }
}
