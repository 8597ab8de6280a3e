//! Staff members: names and roles (`staffUpdate`), deactivation and reactivation, under the
//! rules of `rules`. Any change of a member's roles, and deactivation, ends their sessions at
//! once (their access tokens carry the permissions they had).

use super::rules;
use super::types::MemberView;
use super::views;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::access;
use crate::customers::events::{EndReason, SessionRevoked};
use crate::customers::service::refresh_tokens;
use crate::error::ApiResult;
use crate::unit_of_work::{Write, Writer};
use chrono::{DateTime, Utc};
use entities::enums::StaffStatus;
use entities::{customer, staff_member, staff_member_role, staff_role};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde::Serialize;
use std::collections::BTreeSet;
use uuid::Uuid;

pub use super::roles::Changed;

type Outcome = ApiResult<Result<Changed<MemberView>, Vec<UserError>>>;

const MAX_NAME_LEN: usize = 128;

/// What the audit log keeps of a member (no password hash, no token).
#[derive(Serialize)]
pub struct MemberSnapshot {
    pub customer_id: Uuid,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: StaffStatus,
    pub role_ids: Vec<Uuid>,
    pub deactivated_at: Option<DateTime<Utc>>,
}

impl MemberSnapshot {
    pub fn of(view: &MemberView) -> Self {
        Self {
            customer_id: view.account.id,
            email: view.account.email.clone(),
            first_name: view.account.first_name.clone(),
            last_name: view.account.last_name.clone(),
            status: view.member.status,
            role_ids: view.roles.iter().map(|(role, _)| role.id).collect(),
            deactivated_at: view.member.deactivated_at,
        }
    }
}

/// A name as given (`None`: not given), its problems pushed to `errors`.
pub fn clean_name(
    name: Option<&str>,
    field: &'static str,
    errors: &mut Vec<UserError>,
) -> Option<String> {
    text::optional_line(name, MAX_NAME_LEN).unwrap_or_else(|problem| {
        errors.push(UserError::new(
            &["input", field],
            ErrorCode::Invalid,
            problem.to_string(),
        ));
        None
    })
}

/// The roles `ids` name; each unknown one is a NOT_FOUND error at its index.
pub async fn resolve_roles(
    write: &Write,
    ids: &[Uuid],
    errors: &mut Vec<UserError>,
) -> ApiResult<Vec<staff_role::Model>> {
    let found = staff_role::Entity::find()
        .filter(staff_role::Column::Id.is_in(ids.iter().copied()))
        .all(write.txn())
        .await?;
    for (index, id) in ids.iter().enumerate() {
        if !found.iter().any(|role| role.id == *id) {
            let index = index.to_string();
            errors.push(UserError::new(
                &["input", "roleIds", &index],
                ErrorCode::NotFound,
                "no role has this id",
            ));
        }
    }
    Ok(found)
}

/// Replaces the roles `member` holds with `roles`.
pub async fn set_roles(write: &Write, member: Uuid, roles: &[staff_role::Model]) -> ApiResult<()> {
    staff_member_role::Entity::delete_many()
        .filter(staff_member_role::Column::CustomerId.eq(member))
        .exec(write.txn())
        .await?;
    if roles.is_empty() {
        return Ok(());
    }
    let rows = roles.iter().map(|role| staff_member_role::ActiveModel {
        customer_id: Set(member),
        role_id: Set(role.id),
    });
    staff_member_role::Entity::insert_many(rows)
        .exec_without_returning(write.txn())
        .await?;
    Ok(())
}

fn not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no staff member has this id")
}

/// The member `id` as the unit sees it, after a change.
async fn reread(write: &Write, id: Uuid) -> ApiResult<MemberView> {
    views::member(write.txn(), id).await?.ok_or_else(|| {
        crate::error::ApiError::Internal(format!("staff member {id} vanished in its own unit"))
    })
}

/// What `staffUpdate` changes: names when given (blank removes), roles when given.
pub struct MemberChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role_ids: Option<Vec<Uuid>>,
}

/// Changes a member's names and roles. FORBIDDEN when the member holds, or would be given, a
/// permission `actor` lacks; LAST_STAFF_MANAGER when it takes MANAGE_STAFF from the last
/// active holder. A change of roles ends the member's sessions.
pub async fn update(writer: &Writer, actor: Uuid, id: Uuid, changes: MemberChanges) -> Outcome {
    let mut errors = Vec::new();
    let first_name = changes
        .first_name
        .as_deref()
        .map(|name| clean_name(Some(name), "firstName", &mut errors));
    let last_name = changes
        .last_name
        .as_deref()
        .map(|name| clean_name(Some(name), "lastName", &mut errors));
    let mut write = writer.begin().await?;
    // Locked first: what the actor holds is read after any change that was queued ahead.
    rules::lock_staff(&write).await?;
    let held = rules::actor_permissions(&write, actor).await?;
    let managers = rules::managers(&write).await?;
    let before = views::member(write.txn(), id).await?;
    let roles = match &changes.role_ids {
        Some(ids) => Some(resolve_roles(&write, ids, &mut errors).await?),
        None => None,
    };
    let Some(before) = before else {
        errors.push(not_found());
        return Ok(Err(errors));
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let holds = access::union(before.roles.iter().map(|(role, _)| role));
    rules::require_all(&held, &holds, "change a staff member holding permissions")?;
    if first_name.is_some() || last_name.is_some() {
        let mut account = before.account.clone().into_active_model();
        if let Some(name) = first_name {
            account.first_name = Set(name);
        }
        if let Some(name) = last_name {
            account.last_name = Set(name);
        }
        account.updated_at = Set(Utc::now());
        account.update(write.txn()).await?;
    }
    let mut ended = Vec::new();
    if let Some(roles) = roles {
        let given = access::union(&roles);
        rules::require_all(&held, &given, "give roles holding permissions")?;
        let old: BTreeSet<Uuid> = before.roles.iter().map(|(role, _)| role.id).collect();
        let new: BTreeSet<Uuid> = roles.iter().map(|role| role.id).collect();
        if old != new {
            set_roles(&write, id, &roles).await?;
            if let Some(refusal) =
                rules::keeps_a_manager(&write, managers, &["input", "roleIds"]).await?
            {
                return Ok(Err(vec![refusal]));
            }
            ended.push(
                refresh_tokens::end_sessions(&mut write, id, None, EndReason::StaffAccessChanged)
                    .await?,
            );
        }
    }
    let after = reread(&write, id).await?;
    finish(write, &before, after, ended).await
}

async fn finish(
    write: Write,
    before: &MemberView,
    after: MemberView,
    ended: Vec<SessionRevoked>,
) -> Outcome {
    write.audit_target("StaffMember", after.account.id);
    write.audit_change(
        Some(&MemberSnapshot::of(before)),
        Some(&MemberSnapshot::of(&after)),
    );
    write.commit().await?;
    Ok(Ok(Changed {
        value: after,
        ended,
    }))
}

/// Deactivates (`active: false`) or reactivates a member. Deactivation ends their sessions
/// and is refused with LAST_STAFF_MANAGER for the last active holder of MANAGE_STAFF. A
/// member who never accepted their invitation goes back to INVITED, not ACTIVE. Either is
/// FORBIDDEN when the member holds a permission `actor` lacks. Repeating it changes nothing.
pub async fn set_active(writer: &Writer, actor: Uuid, id: Uuid, active: bool) -> Outcome {
    let mut write = writer.begin().await?;
    // Locked first: what the actor holds is read after any change that was queued ahead.
    rules::lock_staff(&write).await?;
    let held = rules::actor_permissions(&write, actor).await?;
    let managers = rules::managers(&write).await?;
    let Some(before) = views::member(write.txn(), id).await? else {
        return Ok(Err(vec![not_found()]));
    };
    let holds = access::union(before.roles.iter().map(|(role, _)| role));
    let what = if active {
        "reactivate a staff member holding permissions"
    } else {
        "deactivate a staff member holding permissions"
    };
    rules::require_all(&held, &holds, what)?;
    let deactivated = before.member.status == StaffStatus::Deactivated;
    if active != deactivated {
        // Already as asked.
        return Ok(Ok(Changed {
            value: before,
            ended: Vec::new(),
        }));
    }
    let now = Utc::now();
    let mut member: staff_member::ActiveModel = before.member.clone().into_active_model();
    member.updated_at = Set(now);
    let mut ended = Vec::new();
    if active {
        member.status = Set(if has_password(&before.account) {
            StaffStatus::Active
        } else {
            StaffStatus::Invited
        });
        member.deactivated_at = Set(None);
        member.update(write.txn()).await?;
    } else {
        member.status = Set(StaffStatus::Deactivated);
        member.deactivated_at = Set(Some(now));
        member.update(write.txn()).await?;
        if let Some(refusal) = rules::keeps_a_manager(&write, managers, &["id"]).await? {
            return Ok(Err(vec![refusal]));
        }
        ended.push(
            refresh_tokens::end_sessions(&mut write, id, None, EndReason::StaffAccessChanged)
                .await?,
        );
    }
    let after = reread(&write, id).await?;
    finish(write, &before, after, ended).await
}

/// Whether the account has a password (one made by an invitation has none until accepted).
pub fn has_password(account: &customer::Model) -> bool {
    crate::customers::passwords::is_usable(&account.password_hash)
}
