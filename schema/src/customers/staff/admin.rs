//! The first administrator, made from configuration (`ADMIN_EMAIL` + `ADMIN_PASSWORD`) or
//! `shopgraph admin create`: both create the account or update an existing one, so running
//! them again resets the password and restores full rights — an ACTIVE member holding the
//! "Administrator" role, whose permissions are brought up to every permission there is.

use crate::common::email;
use crate::customers::auth::Permission;
use crate::customers::passwords;
use crate::customers::service::accounts;
use crate::error::{ApiError, ApiResult};
use crate::unit_of_work::Writer;
use chrono::Utc;
use entities::enums::StaffStatus;
use entities::{customer, staff_member, staff_member_role, staff_role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use uuid::Uuid;

/// The role holding every permission.
pub const ADMINISTRATOR_ROLE: &str = "Administrator";

/// Whether the admin was created or an existing account was updated.
#[derive(Debug, PartialEq, Eq)]
pub enum AdminOutcome {
    Created,
    Updated,
}

async fn administrator_role(db: &impl ConnectionTrait) -> ApiResult<staff_role::Model> {
    let all: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
    let permissions = all.join(",");
    match staff_role::Entity::find()
        .filter(staff_role::Column::Name.eq(ADMINISTRATOR_ROLE))
        .one(db)
        .await?
    {
        Some(role) if role.permissions == permissions => Ok(role),
        Some(role) => {
            let mut role = role.into_active_model();
            role.permissions = Set(permissions);
            role.updated_at = Set(Some(Utc::now()));
            Ok(role.update(db).await?)
        }
        None => Ok(staff_role::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(ADMINISTRATOR_ROLE.into()),
            permissions: Set(permissions),
            created_at: Set(Utc::now()),
            updated_at: Set(Some(Utc::now())),
        }
        .insert(db)
        .await?),
    }
}

/// Makes `account` an ACTIVE staff member holding `role` (its other roles are kept).
async fn make_active_administrator(
    db: &impl ConnectionTrait,
    account: Uuid,
    role: Uuid,
) -> ApiResult<()> {
    let now = Utc::now();
    match staff_member::Entity::find_by_id(account).one(db).await? {
        Some(member) => {
            let mut member = member.into_active_model();
            member.status = Set(StaffStatus::Active);
            member.deactivated_at = Set(None);
            member.updated_at = Set(now);
            member.update(db).await?;
        }
        None => {
            staff_member::ActiveModel {
                customer_id: Set(account),
                status: Set(StaffStatus::Active),
                invited_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                deactivated_at: Set(None),
            }
            .insert(db)
            .await?;
        }
    }
    if staff_member_role::Entity::find_by_id((account, role))
        .one(db)
        .await?
        .is_none()
    {
        staff_member_role::ActiveModel {
            customer_id: Set(account),
            role_id: Set(role),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Creates or updates the administrator `email` with `password` and every permission, in one
/// unit (the role and the account together). The password must meet the same policy as
/// customers' passwords.
pub async fn ensure_admin(writer: &Writer, email: &str, password: &str) -> ApiResult<AdminOutcome> {
    let email = email::normalise(email)
        .map_err(|problem| ApiError::bad_input(format!("the admin email is refused: {problem}")))?;
    if let Some(problem) = passwords::weakness(password, &email) {
        return Err(ApiError::bad_input(format!(
            "the admin password is refused: {problem}"
        )));
    }
    // Hashed before the unit begins: the write lock is not held for the hash's time.
    let password_hash = passwords::hash(password.to_owned())
        .await
        .map_err(ApiError::Internal)?;
    let write = writer.begin().await?;
    let db = write.txn();
    let role = administrator_role(db).await?;
    let now = Utc::now();
    let (account, outcome) = match customer::Entity::find()
        .filter(customer::Column::Email.eq(&email))
        .one(db)
        .await?
    {
        Some(account) => {
            let mut account = account.into_active_model();
            account.password_hash = Set(password_hash);
            account.updated_at = Set(now);
            let account = account.update(db).await?;
            (account, AdminOutcome::Updated)
        }
        None => {
            let account = accounts::new_account(email, password_hash, None, None)
                .insert(db)
                .await?;
            (account, AdminOutcome::Created)
        }
    };
    make_active_administrator(db, account.id, role.id).await?;
    write.commit().await?;
    Ok(outcome)
}
