//! Staff's list of returns: newest first, optionally of one status, a page at a time (keyset
//! on the UUIDv7 id, which follows creation order).

use super::StoredReturn;
use crate::error::{ApiError, ApiResult};
use entities::enums::ReturnStatus;
use entities::{order_return, return_line};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// Up to `first` returns (of `status`, if given) created before the one named by `after`,
/// newest first, with their lines, and whether more follow. The cursor is a return's id.
pub async fn page(
    db: &impl ConnectionTrait,
    status: Option<ReturnStatus>,
    first: u64,
    after: Option<&str>,
) -> ApiResult<(Vec<StoredReturn>, bool)> {
    let mut query = order_return::Entity::find().order_by_desc(order_return::Column::Id);
    if let Some(status) = status {
        query = query.filter(order_return::Column::Status.eq(status));
    }
    if let Some(after) = after {
        let id = Uuid::parse_str(after)
            .map_err(|_| ApiError::bad_input("`after` is not a cursor of this list"))?;
        query = query.filter(order_return::Column::Id.lt(id));
    }
    let mut rows = query.limit(first + 1).all(db).await?;
    let more = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    let mut lines: HashMap<Uuid, Vec<return_line::Model>> = HashMap::new();
    if !rows.is_empty() {
        let found = return_line::Entity::find()
            .filter(return_line::Column::ReturnId.is_in(rows.iter().map(|r| r.id)))
            .all(db)
            .await?;
        for line in found {
            lines.entry(line.return_id).or_default().push(line);
        }
    }
    let page = rows
        .into_iter()
        .map(|r| {
            let of_return = lines.remove(&r.id).unwrap_or_default();
            (r, of_return)
        })
        .collect();
    Ok((page, more))
}
