//! Reading the audit log: newest first, filtered, a page at a time (keyset on the UUIDv7 id).

use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use entities::{audit_event, customer};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// Which events to list; every part optional, all given parts must match.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub target_id: Option<String>,
    pub action: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Strictly before.
    pub to: Option<DateTime<Utc>>,
}

/// Up to `first` events matching `filter` older than the one named by `after`, newest first,
/// and whether more follow. The cursor is an event's id.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    first: u64,
    after: Option<&str>,
) -> ApiResult<(Vec<audit_event::Model>, bool)> {
    let mut query = audit_event::Entity::find().order_by_desc(audit_event::Column::Id);
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_event::Column::ActorId.eq(actor));
    }
    if let Some(target) = &filter.target_id {
        query = query.filter(audit_event::Column::TargetId.eq(target.as_str()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_event::Column::Action.eq(action.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_event::Column::CreatedAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_event::Column::CreatedAt.lt(to));
    }
    if let Some(after) = after {
        let id = Uuid::parse_str(after)
            .map_err(|_| ApiError::bad_input("`after` is not a cursor of this list"))?;
        query = query.filter(audit_event::Column::Id.lt(id));
    }
    let mut rows = query.limit(first + 1).all(db).await?;
    let more = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((rows, more))
}

/// The emails of the actors of `events` (accounts since deleted are missing), in one
/// statement.
pub async fn actor_emails(
    db: &impl ConnectionTrait,
    events: &[audit_event::Model],
) -> ApiResult<HashMap<Uuid, String>> {
    if events.is_empty() {
        return Ok(HashMap::new());
    }
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.actor_id).collect();
    ids.sort();
    ids.dedup();
    let found: Vec<(Uuid, String)> = customer::Entity::find()
        .select_only()
        .column(customer::Column::Id)
        .column(customer::Column::Email)
        .filter(customer::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}
