//! The transactional outbox: events written in the transaction that causes them (by
//! `unit_of_work::Write::commit`, the only writer of new events).

use super::DomainEvent;
use crate::common::clock::now;
use crate::error::{ApiError, ApiResult};
use entities::outbox;
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// Records several events as pending with one INSERT.
pub async fn record_all(db: &impl ConnectionTrait, events: &[DomainEvent]) -> ApiResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let at = now();
    let rows = events
        .iter()
        .map(|event| {
            let payload = serde_json::to_value(event)
                .map_err(|e| ApiError::Internal(format!("encoding an event: {e}")))?;
            Ok(outbox::ActiveModel {
                id: Set(event.id()),
                topic: Set(event.topic().to_owned()),
                aggregate_id: Set(event.aggregate_id()),
                payload: Set(payload),
                created_at: Set(at),
                published_at: Set(None),
                attempts: Set(0),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    outbox::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Takes up to `limit` pending events, oldest first. On PostgreSQL the rows stay locked
/// until the transaction ends and rows another relay holds are skipped (`SKIP LOCKED`), so
/// replicas share the work without publishing an event twice. SQLite has one writer at a
/// time, and the caller's write transaction is it.
pub async fn claim_pending(db: &impl ConnectionTrait, limit: u64) -> ApiResult<Vec<outbox::Model>> {
    let mut query = outbox::Entity::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .order_by_asc(outbox::Column::Id)
        .limit(limit);
    if db.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Ok(query.all(db).await?)
}

/// Marks events as published.
pub async fn mark_published(db: &impl ConnectionTrait, ids: &[Uuid]) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    outbox::Entity::update_many()
        .col_expr(
            outbox::Column::PublishedAt,
            sea_orm::sea_query::Expr::value(now()),
        )
        .filter(outbox::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Events not yet published.
pub async fn pending_count(db: &impl ConnectionTrait) -> ApiResult<u64> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .count(db)
        .await?)
}

/// When the oldest pending event was recorded (`None` when nothing is pending): how far
/// behind the relay is.
pub async fn oldest_pending(
    db: &impl ConnectionTrait,
) -> ApiResult<Option<chrono::DateTime<chrono::Utc>>> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .order_by_asc(outbox::Column::Id)
        .one(db)
        .await?
        .map(|event| event.created_at))
}

/// Deletes published events older than `before`; the outbox is a queue, not a history.
pub async fn purge_published(
    db: &impl ConnectionTrait,
    before: chrono::DateTime<chrono::Utc>,
) -> ApiResult<u64> {
    let deleted = outbox::Entity::delete_many()
        .filter(outbox::Column::PublishedAt.lt(before))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

/// Replaces a person's strings in the payloads that mention them (`common::redact`), for
/// account deletion: published rows wait for the purge, pending ones go out redacted.
pub async fn redact(
    db: &impl ConnectionTrait,
    markers: &[String],
    needles: &[String],
) -> ApiResult<u64> {
    let payload = crate::common::redact::Column {
        table: "outbox",
        column: "payload",
        json: true,
    };
    crate::common::redact::replace_in(db, &payload, markers, needles, None).await
}
