//! Staff roles: create, edit, delete, under the rules of `rules` (nobody grants what they
//! lack; someone can always manage staff). Editing a role's permissions or deleting it ends
//! the sessions of the members holding it: their access tokens carry the old permissions.

use super::rules;
use super::views;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::events::{EndReason, SessionRevoked};
use crate::customers::permissions::{self, Permission};
use crate::customers::service::refresh_tokens;
use crate::error::{ApiResult, is_unique_violation};
use crate::unit_of_work::{Write, Writer};
use chrono::Utc;
use entities::{staff_member_role, staff_role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
    QuerySelect, Set,
};
use std::collections::BTreeSet;
use uuid::Uuid;

const MAX_NAME_LEN: usize = 64;

/// What a role should be.
pub struct RoleSpec {
    pub name: String,
    pub permissions: Vec<Permission>,
}

/// A role after a change, with its member count, and the sessions the change ended (apply
/// them to this replica after the commit).
pub struct Changed<T> {
    pub value: T,
    pub ended: Vec<SessionRevoked>,
}

type Outcome<T> = ApiResult<Result<Changed<T>, Vec<UserError>>>;

fn clean_name(name: &str, errors: &mut Vec<UserError>) -> String {
    text::required_line(name, MAX_NAME_LEN).unwrap_or_else(|problem| {
        errors.push(UserError::new(
            &["input", "name"],
            ErrorCode::Invalid,
            problem.to_string(),
        ));
        String::new()
    })
}

fn taken() -> Vec<UserError> {
    vec![UserError::new(
        &["input", "name"],
        ErrorCode::Taken,
        "a role with this name already exists",
    )]
}

fn not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no role has this id")
}

async fn name_taken(write: &Write, name: &str, other_than: Option<Uuid>) -> ApiResult<bool> {
    let mut query = staff_role::Entity::find().filter(staff_role::Column::Name.eq(name));
    if let Some(id) = other_than {
        query = query.filter(staff_role::Column::Id.ne(id));
    }
    Ok(query.one(write.txn()).await?.is_some())
}

/// Ends the sessions of every member holding `role`.
async fn end_members_sessions(write: &mut Write, role: Uuid) -> ApiResult<Vec<SessionRevoked>> {
    let members: Vec<Uuid> = staff_member_role::Entity::find()
        .select_only()
        .column(staff_member_role::Column::CustomerId)
        .filter(staff_member_role::Column::RoleId.eq(role))
        .into_tuple()
        .all(write.txn())
        .await?;
    let mut ended = Vec::with_capacity(members.len());
    for member in members {
        ended.push(
            refresh_tokens::end_sessions(write, member, None, EndReason::StaffAccessChanged)
                .await?,
        );
    }
    Ok(ended)
}

/// Creates a role. FORBIDDEN when it would hold a permission `actor` lacks.
pub async fn create(
    writer: &Writer,
    actor: Uuid,
    spec: RoleSpec,
) -> Outcome<(staff_role::Model, u64)> {
    let mut errors = Vec::new();
    let name = clean_name(&spec.name, &mut errors);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let wanted: BTreeSet<Permission> = spec.permissions.into_iter().collect();
    let write = writer.begin().await?;
    let held = rules::actor_permissions(&write, actor).await?;
    rules::require_all(&held, &wanted, "create a role with these permissions")?;
    if name_taken(&write, &name, None).await? {
        return Ok(Err(taken()));
    }
    let now = Utc::now();
    let inserted = staff_role::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        permissions: Set(permissions::join(&wanted)),
        created_at: Set(now),
        updated_at: Set(Some(now)),
    }
    .insert(write.txn())
    .await;
    let role = match inserted {
        Ok(role) => role,
        Err(err) if is_unique_violation(&err) => return Ok(Err(taken())),
        Err(err) => return Err(err.into()),
    };
    write.audit_target("Role", role.id);
    write.audit_change(None, Some(&role));
    write.commit().await?;
    Ok(Ok(Changed {
        value: (role, 0),
        ended: Vec::new(),
    }))
}

/// Renames a role and sets its permissions. FORBIDDEN when the role holds, or would hold, a
/// permission `actor` lacks; LAST_STAFF_MANAGER when it would take MANAGE_STAFF from the
/// last active holders. Changed permissions end the sessions of its members.
pub async fn update(
    writer: &Writer,
    actor: Uuid,
    id: Uuid,
    spec: RoleSpec,
) -> Outcome<(staff_role::Model, u64)> {
    let mut errors = Vec::new();
    let name = clean_name(&spec.name, &mut errors);
    let wanted: BTreeSet<Permission> = spec.permissions.into_iter().collect();
    let mut write = writer.begin().await?;
    // Locked first: what the actor holds is read after any change that was queued ahead.
    rules::lock_staff(&write).await?;
    let held = rules::actor_permissions(&write, actor).await?;
    let managers = rules::managers(&write).await?;
    let Some(before) = staff_role::Entity::find_by_id(id).one(write.txn()).await? else {
        errors.push(not_found());
        return Ok(Err(errors));
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let had = Permission::parse_list(&before.permissions);
    rules::require_all(&held, &had, "edit a role holding permissions")?;
    rules::require_all(&held, &wanted, "give a role these permissions")?;
    if name_taken(&write, &name, Some(id)).await? {
        return Ok(Err(taken()));
    }
    let mut role = before.clone().into_active_model();
    role.name = Set(name);
    role.permissions = Set(permissions::join(&wanted));
    role.updated_at = Set(Some(Utc::now()));
    let after = match role.update(write.txn()).await {
        Ok(after) => after,
        Err(err) if is_unique_violation(&err) => return Ok(Err(taken())),
        Err(err) => return Err(err.into()),
    };
    if let Some(refusal) =
        rules::keeps_a_manager(&write, managers, &["input", "permissions"]).await?
    {
        return Ok(Err(vec![refusal]));
    }
    let ended = if had != wanted {
        end_members_sessions(&mut write, id).await?
    } else {
        Vec::new()
    };
    let count = views::member_counts(write.txn(), [id])
        .await?
        .get(&id)
        .copied()
        .unwrap_or_default();
    write.audit_target("Role", id);
    write.audit_change(Some(&before), Some(&after));
    write.commit().await?;
    Ok(Ok(Changed {
        value: (after, count),
        ended,
    }))
}

/// Deletes a role: its members lose it (and their sessions end). FORBIDDEN when it holds a
/// permission `actor` lacks; LAST_STAFF_MANAGER when it is how the last active holders hold
/// MANAGE_STAFF.
pub async fn delete(writer: &Writer, actor: Uuid, id: Uuid) -> Outcome<Uuid> {
    let mut write = writer.begin().await?;
    // Locked first: what the actor holds is read after any change that was queued ahead.
    rules::lock_staff(&write).await?;
    let held = rules::actor_permissions(&write, actor).await?;
    let managers = rules::managers(&write).await?;
    let Some(role) = staff_role::Entity::find_by_id(id).one(write.txn()).await? else {
        return Ok(Err(vec![not_found()]));
    };
    let had = Permission::parse_list(&role.permissions);
    rules::require_all(&held, &had, "delete a role holding permissions")?;
    // Sessions first: the memberships that name them go with the role.
    let ended = end_members_sessions(&mut write, id).await?;
    staff_member_role::Entity::delete_many()
        .filter(staff_member_role::Column::RoleId.eq(id))
        .exec(write.txn())
        .await?;
    role.clone().delete(write.txn()).await?;
    if let Some(refusal) = rules::keeps_a_manager(&write, managers, &["id"]).await? {
        return Ok(Err(vec![refusal]));
    }
    write.audit_target("Role", id);
    write.audit_change(Some(&role), None);
    write.commit().await?;
    Ok(Ok(Changed { value: id, ended }))
}
