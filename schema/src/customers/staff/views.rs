//! Reads that build what the staff API shows: roles with their member counts, members with
//! their accounts and roles.

use super::types::MemberView;
use crate::customers::access;
use crate::error::{ApiError, ApiResult};
use entities::enums::StaffStatus;
use entities::{customer, staff_member, staff_member_role, staff_role};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// How many members hold each of `roles` (one grouped statement).
pub async fn member_counts(
    db: &impl ConnectionTrait,
    roles: impl IntoIterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, u64>> {
    let counts: Vec<(Uuid, i64)> = staff_member_role::Entity::find()
        .select_only()
        .column(staff_member_role::Column::RoleId)
        .column_as(
            Expr::expr(Func::count(Expr::col(
                staff_member_role::Column::CustomerId,
            ))),
            "n",
        )
        .filter(staff_member_role::Column::RoleId.is_in(roles))
        .group_by(staff_member_role::Column::RoleId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(role, n)| (role, u64::try_from(n).unwrap_or_default()))
        .collect())
}

/// `roles` with their member counts.
pub async fn with_counts(
    db: &impl ConnectionTrait,
    roles: Vec<staff_role::Model>,
) -> ApiResult<Vec<(staff_role::Model, u64)>> {
    let counts = member_counts(db, roles.iter().map(|r| r.id)).await?;
    Ok(roles
        .into_iter()
        .map(|role| {
            let n = counts.get(&role.id).copied().unwrap_or_default();
            (role, n)
        })
        .collect())
}

/// Every role, by name, with its member count.
pub async fn all_roles(db: &impl ConnectionTrait) -> ApiResult<Vec<(staff_role::Model, u64)>> {
    let roles = staff_role::Entity::find()
        .order_by_asc(staff_role::Column::Name)
        .all(db)
        .await?;
    with_counts(db, roles).await
}

/// Builds the views of `members` (their accounts and roles read in a few statements).
async fn views_of(
    db: &impl ConnectionTrait,
    members: Vec<staff_member::Model>,
) -> ApiResult<Vec<MemberView>> {
    let ids: Vec<Uuid> = members.iter().map(|m| m.customer_id).collect();
    let mut accounts: HashMap<Uuid, customer::Model> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut roles = access::roles_of_many(db, &ids).await?;
    let counts = member_counts(
        db,
        roles.values().flatten().map(|r| r.id).collect::<Vec<_>>(),
    )
    .await?;
    members
        .into_iter()
        .map(|member| {
            let account = accounts.remove(&member.customer_id).ok_or_else(|| {
                ApiError::Internal(format!(
                    "staff member {} has no account",
                    member.customer_id
                ))
            })?;
            let roles = roles
                .remove(&member.customer_id)
                .unwrap_or_default()
                .into_iter()
                .map(|role| {
                    let n = counts.get(&role.id).copied().unwrap_or_default();
                    (role, n)
                })
                .collect();
            Ok(MemberView {
                member,
                account,
                roles,
            })
        })
        .collect()
}

/// The member `id`, if there is one.
pub async fn member(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<MemberView>> {
    let Some(member) = staff_member::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    Ok(views_of(db, vec![member]).await?.pop())
}

/// Up to `first` members (of `status`, if given) after the one named by `after`, in account
/// order (UUIDv7: oldest first), and whether more follow.
pub async fn member_page(
    db: &impl ConnectionTrait,
    status: Option<StaffStatus>,
    first: u64,
    after: Option<&str>,
) -> ApiResult<(Vec<MemberView>, bool)> {
    let mut query = staff_member::Entity::find().order_by_asc(staff_member::Column::CustomerId);
    if let Some(status) = status {
        query = query.filter(staff_member::Column::Status.eq(status));
    }
    if let Some(after) = after {
        let id = Uuid::parse_str(after)
            .map_err(|_| ApiError::bad_input("`after` is not a cursor of this list"))?;
        query = query.filter(staff_member::Column::CustomerId.gt(id));
    }
    let mut rows = query.limit(first + 1).all(db).await?;
    let more = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((views_of(db, rows).await?, more))
}
