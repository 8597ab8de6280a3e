//! The rules every staff change keeps, inside its unit of work:
//!
//! - **Nobody grants what they lack.** An actor may only create or edit a role, or assign a
//!   role, whose permissions they hold themselves; and may only edit or delete a role, or
//!   change or deactivate a member, that holds nothing beyond their own permissions (nobody
//!   demotes a superior). Refusals are FORBIDDEN errors and the unit is dropped.
//! - **Someone can always manage staff.** A change that would leave no ACTIVE member holding
//!   MANAGE_STAFF is refused with LAST_STAFF_MANAGER. Every unit that could take MANAGE_STAFF
//!   away first locks all `staff_members` rows (`FOR UPDATE` on PostgreSQL; SQLite's units are
//!   serialised already), applies its change, then counts: two administrators deactivating
//!   each other at once queue on the lock, and the second one counts after the first commit.

use crate::common::transaction::for_update;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::access;
use crate::customers::permissions::Permission;
use crate::error::{ApiError, ApiResult};
use crate::unit_of_work::Write;
use entities::enums::StaffStatus;
use entities::{staff_member, staff_member_role, staff_role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeSet;
use uuid::Uuid;

/// What the acting staff member holds now, read in the unit (not from their access token,
/// which may be up to 15 minutes old).
pub async fn actor_permissions(write: &Write, actor: Uuid) -> ApiResult<BTreeSet<Permission>> {
    access::permissions_of(write.txn(), actor).await
}

/// FORBIDDEN unless `actor` holds every one of `wanted`; `what` says what was attempted.
pub fn require_all(
    actor: &BTreeSet<Permission>,
    wanted: &BTreeSet<Permission>,
    what: &str,
) -> ApiResult<()> {
    let missing: Vec<&str> = wanted
        .difference(actor)
        .map(|permission| permission.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::Forbidden(format!(
        "you cannot {what}: it involves {}, which you do not hold",
        missing.join(", ")
    )))
}

/// Locks every staff membership until the unit ends (PostgreSQL), in one order so that two
/// units never wait for each other's rows crosswise.
pub async fn lock_staff(write: &Write) -> ApiResult<()> {
    let txn = write.txn();
    let query = staff_member::Entity::find()
        .select_only()
        .column(staff_member::Column::CustomerId)
        .order_by_asc(staff_member::Column::CustomerId);
    let _: Vec<Uuid> = for_update(query, txn).into_tuple().all(txn).await?;
    Ok(())
}

/// How many ACTIVE members hold MANAGE_STAFF (through any role), as the unit sees it.
pub async fn managers(write: &Write) -> ApiResult<usize> {
    let txn = write.txn();
    let managing: Vec<Uuid> = staff_role::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .filter(|role| Permission::parse_list(&role.permissions).contains(&Permission::ManageStaff))
        .map(|role| role.id)
        .collect();
    if managing.is_empty() {
        return Ok(0);
    }
    let holders: Vec<Uuid> = staff_member_role::Entity::find()
        .select_only()
        .column(staff_member_role::Column::CustomerId)
        .inner_join(staff_member::Entity)
        .filter(staff_member::Column::Status.eq(StaffStatus::Active))
        .filter(staff_member_role::Column::RoleId.is_in(managing))
        .distinct()
        .into_tuple()
        .all(txn)
        .await?;
    Ok(holders.len())
}

/// The refusal when a change would leave nobody able to manage staff.
pub fn last_manager(field: &[&str]) -> UserError {
    UserError::new(
        field,
        ErrorCode::LastStaffManager,
        "this would leave no active staff member with MANAGE_STAFF; give it to someone else first",
    )
}

/// `Some(refusal)` when the unit's change took MANAGE_STAFF from the last active holders
/// (`before` is `managers` counted after `lock_staff`, before the change).
pub async fn keeps_a_manager(
    write: &Write,
    before: usize,
    field: &[&str],
) -> ApiResult<Option<UserError>> {
    let after = managers(write).await?;
    Ok((after == 0 && before > 0).then(|| last_manager(field)))
}
