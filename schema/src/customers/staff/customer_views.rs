//! Staff's view of customer accounts (MANAGE_CUSTOMERS): a searchable list and one account.

use crate::customers::access;
use crate::customers::types::Customer;
use crate::error::{ApiError, ApiResult};
use entities::customer;
use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// Longest search text (longer ones are refused rather than scanned for).
const MAX_QUERY_LEN: usize = 200;

/// `%text%` with LIKE's wildcards in `text` escaped (with `\`), lower-cased.
fn contains_pattern(text: &str) -> LikeExpr {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}

/// Attaches each account's permissions (one batch for the page).
async fn with_permissions(
    db: &impl ConnectionTrait,
    models: Vec<customer::Model>,
) -> ApiResult<Vec<Customer>> {
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let mut permissions = access::active_permissions_of_many(db, &ids).await?;
    Ok(models
        .into_iter()
        .map(|model| {
            let held = permissions.remove(&model.id).unwrap_or_default();
            Customer {
                model,
                permissions: held.into_iter().collect(),
            }
        })
        .collect())
}

/// Up to `first` accounts matching `query` (if given) created before the one named by
/// `after`, newest first, and whether more follow. The cursor is an account id (UUIDv7).
pub async fn page(
    db: &impl ConnectionTrait,
    query: Option<&str>,
    first: u64,
    after: Option<&str>,
) -> ApiResult<(Vec<Customer>, bool)> {
    let mut select = customer::Entity::find().order_by_desc(customer::Column::Id);
    if let Some(text) = query.map(str::trim).filter(|t| !t.is_empty()) {
        if text.chars().count() > MAX_QUERY_LEN || text.contains('\0') {
            return Err(ApiError::bad_input(format!(
                "`query` must be at most {MAX_QUERY_LEN} characters of text"
            )));
        }
        let matches = |column: customer::Column| {
            Expr::expr(Func::lower(Expr::col(column))).like(contains_pattern(text))
        };
        select = select.filter(
            Condition::any()
                .add(matches(customer::Column::Email))
                .add(matches(customer::Column::FirstName))
                .add(matches(customer::Column::LastName)),
        );
    }
    if let Some(after) = after {
        let id = Uuid::parse_str(after)
            .map_err(|_| ApiError::bad_input("`after` is not a cursor of this list"))?;
        select = select.filter(customer::Column::Id.lt(id));
    }
    let mut rows = select.limit(first + 1).all(db).await?;
    let more = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((with_permissions(db, rows).await?, more))
}

/// The account `id`, if there is one.
pub async fn one(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<Customer>> {
    let Some(model) = customer::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    Ok(with_permissions(db, vec![model]).await?.pop())
}
