//! Deliveries as staff and operators see them: a webhook's deliveries a page at a time, a
//! manual retry, the backlog for `/metrics`, and the queries the worker plans with.

use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiError, ApiResult};
use crate::unit_of_work::Writer;
use chrono::{DateTime, Utc};
use entities::enums::WebhookDeliveryStatus;
use entities::{webhook, webhook_delivery};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// Statuses a worker may still send.
pub const OPEN: [WebhookDeliveryStatus; 2] = [
    WebhookDeliveryStatus::Pending,
    WebhookDeliveryStatus::Failed,
];

/// Deliveries a worker may claim: open, of an active webhook (a switched-off webhook's wait
/// until staff switch it on again).
fn claimable() -> sea_orm::Select<webhook_delivery::Entity> {
    let active = Query::select()
        .column(webhook::Column::Id)
        .from(webhook::Entity)
        .and_where(webhook::Column::Active.eq(true))
        .to_owned();
    webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.is_in(OPEN))
        .filter(webhook_delivery::Column::WebhookId.in_subquery(active))
}

/// When the soonest claimable delivery is due (a lease's end for one being sent); `None`
/// when nothing waits.
pub async fn next_due(db: &impl ConnectionTrait) -> ApiResult<Option<DateTime<Utc>>> {
    // ORDER BY … LIMIT 1 rather than MIN(): the column's type survives on SQLite.
    let soonest: Option<Option<DateTime<Utc>>> = claimable()
        .select_only()
        .column(webhook_delivery::Column::NextAttemptAt)
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(soonest.flatten())
}

/// Up to `first` deliveries of `webhook_id` (of `status`, if given) created before the one
/// named by `after`, newest first, and whether more follow. The cursor is a delivery's id
/// (UUIDv7: creation order).
pub async fn page(
    db: &impl ConnectionTrait,
    webhook_id: Uuid,
    status: Option<WebhookDeliveryStatus>,
    first: u64,
    after: Option<&str>,
) -> ApiResult<(Vec<webhook_delivery::Model>, bool)> {
    let mut query = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .order_by_desc(webhook_delivery::Column::Id);
    if let Some(status) = status {
        query = query.filter(webhook_delivery::Column::Status.eq(status));
    }
    if let Some(after) = after {
        let id = Uuid::parse_str(after)
            .map_err(|_| ApiError::bad_input("`after` is not a cursor of this list"))?;
        query = query.filter(webhook_delivery::Column::Id.lt(id));
    }
    let mut rows = query.limit(first + 1).all(db).await?;
    let more = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((rows, more))
}

/// Makes a delivery due now (PENDING), whatever its status: a redelivery of one that
/// succeeded, or another attempt for one that failed or gave up. A failing retry of a
/// delivery past its schedule gives up again after that one attempt.
pub async fn retry(
    writer: &Writer,
    id: Uuid,
) -> ApiResult<Result<webhook_delivery::Model, Vec<UserError>>> {
    let write = writer.begin().await?;
    let txn = write.txn();
    let Some(delivery) = webhook_delivery::Entity::find_by_id(id).one(txn).await? else {
        return Ok(Err(vec![UserError::new(
            &["id"],
            ErrorCode::NotFound,
            "no webhook delivery with this id",
        )]));
    };
    let active = webhook::Entity::find_by_id(delivery.webhook_id)
        .one(txn)
        .await?
        .is_some_and(|w| w.active);
    if !active {
        return Ok(Err(vec![UserError::new(
            &["id"],
            ErrorCode::Invalid,
            "its webhook is switched off; switch it on (webhookUpdate with active: true) first",
        )]));
    }
    let at = now();
    let mut row = delivery.into_active_model();
    row.status = Set(WebhookDeliveryStatus::Pending);
    row.next_attempt_at = Set(Some(at));
    row.updated_at = Set(at);
    let delivery = row.update(txn).await?;
    write.commit().await?;
    Ok(Ok(delivery))
}

/// Deletes deliveries that SUCCEEDED or GAVE_UP before `before`.
pub async fn purge_settled(writer: &Writer, before: DateTime<Utc>) -> ApiResult<u64> {
    let write = writer.begin().await?;
    let deleted = webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::Status.is_not_in(OPEN))
        .filter(webhook_delivery::Column::UpdatedAt.lt(before))
        .exec(write.txn())
        .await?;
    write.commit().await?;
    Ok(deleted.rows_affected)
}

/// Deliveries still to be sent (PENDING or FAILED, of any webhook), and when the oldest of
/// them was queued: how far behind the receivers and the workers are.
pub async fn backlog(db: &impl ConnectionTrait) -> ApiResult<(u64, Option<DateTime<Utc>>)> {
    let open =
        || webhook_delivery::Entity::find().filter(webhook_delivery::Column::Status.is_in(OPEN));
    let count = open().count(db).await?;
    let oldest: Option<DateTime<Utc>> = open()
        .select_only()
        .column(webhook_delivery::Column::CreatedAt)
        .order_by_asc(webhook_delivery::Column::CreatedAt)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok((count, oldest))
}
