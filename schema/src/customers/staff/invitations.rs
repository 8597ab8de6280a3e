//! Staff invitations: `staffInvite` makes (or reuses) the account as an INVITED member with
//! its roles and mails a link to set a password; `staffInvitationAccept` sets it and makes
//! the member ACTIVE.
//!
//! The token is 32 random bytes in base64url; only its SHA-256 is stored, so the mailed link
//! is the one copy. It works once (a guarded UPDATE of `used_at`), for 72 hours, and a new
//! invitation to the same account retires the older ones. The mail is queued on the
//! invitation's own unit of work: it exists exactly when the invitation does.

use super::members::{self, Changed, MemberSnapshot};
use super::rules;
use super::types::MemberView;
use super::views;
use crate::common::email;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::access;
use crate::customers::events::EndReason;
use crate::customers::passwords;
use crate::customers::service::accounts;
use crate::customers::service::refresh_tokens;
use crate::error::{ApiError, ApiResult, is_unique_violation};
use crate::notifications::service::mail::Mail;
use crate::notifications::service::queue;
use crate::unit_of_work::{Write, Writer};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use entities::enums::StaffStatus;
use entities::{customer, staff_invitation, staff_member};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How long an invitation link works.
pub const VALID_FOR_HOURS: u32 = 72;

/// Who is invited, and with which roles.
pub struct Invitation {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role_ids: Vec<Uuid>,
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> ApiResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Marks every unused invitation of `account` used: only the newest link, or none, works.
async fn retire_invitations(write: &Write, account: Uuid) -> ApiResult<()> {
    staff_invitation::Entity::update_many()
        .col_expr(staff_invitation::Column::UsedAt, Expr::value(Utc::now()))
        .filter(staff_invitation::Column::CustomerId.eq(account))
        .filter(staff_invitation::Column::UsedAt.is_null())
        .exec(write.txn())
        .await?;
    Ok(())
}

/// How the mail names the inviting staff member: their name, else their email.
async fn display_name(write: &Write, actor: Uuid) -> ApiResult<Option<String>> {
    Ok(customer::Entity::find_by_id(actor)
        .one(write.txn())
        .await?
        .map(|a| {
            let name = [a.first_name.as_deref(), a.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            if name.is_empty() { a.email } else { name }
        }))
}

fn already_staff() -> Vec<UserError> {
    vec![UserError::new(
        &["input", "email"],
        ErrorCode::Taken,
        "this account is already on the staff; use staffUpdate or staffReactivate",
    )]
}

/// Invites `invitation.email` with its roles and queues the mail linking to
/// `{storefront}/staff/invitation?token=…`. FORBIDDEN when a role holds a permission `actor`
/// lacks. An existing customer account is reused (its sessions end: it cannot sign in until
/// the invitation is accepted); inviting a member still INVITED sends a fresh link.
pub async fn invite(
    writer: &Writer,
    actor: Uuid,
    invitation: Invitation,
    storefront: &str,
) -> ApiResult<Result<Changed<MemberView>, Vec<UserError>>> {
    let mut errors = Vec::new();
    let address = email::normalise(&invitation.email).unwrap_or_else(|problem| {
        errors.push(accounts::email_error(&["input", "email"], problem));
        String::new()
    });
    let first_name =
        members::clean_name(invitation.first_name.as_deref(), "firstName", &mut errors);
    let last_name = members::clean_name(invitation.last_name.as_deref(), "lastName", &mut errors);
    let mut write = writer.begin().await?;
    let held = rules::actor_permissions(&write, actor).await?;
    let roles = members::resolve_roles(&write, &invitation.role_ids, &mut errors).await?;
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    rules::require_all(
        &held,
        &access::union(&roles),
        "give roles holding permissions",
    )?;
    let now = Utc::now();
    let existing = customer::Entity::find()
        .filter(customer::Column::Email.eq(&address))
        .one(write.txn())
        .await?;
    let mut ended = Vec::new();
    let (account, before) = match existing {
        None => {
            let no_password = passwords::NO_PASSWORD.to_owned();
            let created =
                accounts::new_account(address.clone(), no_password, first_name, last_name)
                    .insert(write.txn())
                    .await;
            match created {
                Ok(account) => (account, None),
                // Two invitations racing for one new address: the unique index decides.
                Err(err) if is_unique_violation(&err) => return Ok(Err(already_staff())),
                Err(err) => return Err(err.into()),
            }
        }
        Some(account) => {
            let before = views::member(write.txn(), account.id).await?;
            if before
                .as_ref()
                .is_some_and(|b| b.member.status != StaffStatus::Invited)
            {
                return Ok(Err(already_staff()));
            }
            let mut changed = account.into_active_model();
            if first_name.is_some() {
                changed.first_name = Set(first_name);
            }
            if last_name.is_some() {
                changed.last_name = Set(last_name);
            }
            changed.updated_at = Set(now);
            let account = changed.update(write.txn()).await?;
            ended.push(
                refresh_tokens::end_sessions(
                    &mut write,
                    account.id,
                    None,
                    EndReason::StaffAccessChanged,
                )
                .await?,
            );
            (account, before)
        }
    };
    if before.is_none() {
        staff_member::ActiveModel {
            customer_id: Set(account.id),
            status: Set(StaffStatus::Invited),
            invited_by: Set(Some(actor)),
            created_at: Set(now),
            updated_at: Set(now),
            deactivated_at: Set(None),
        }
        .insert(write.txn())
        .await?;
    }
    members::set_roles(&write, account.id, &roles).await?;
    retire_invitations(&write, account.id).await?;
    let token = new_token()?;
    staff_invitation::ActiveModel {
        token_hash: Set(digest(&token)),
        customer_id: Set(account.id),
        expires_at: Set(now + Duration::hours(i64::from(VALID_FOR_HOURS))),
        used_at: Set(None),
        created_at: Set(now),
    }
    .insert(write.txn())
    .await?;
    let mail = Mail::StaffInvitation {
        accept_url: format!(
            "{}/staff/invitation?token={token}",
            storefront.trim_end_matches('/')
        ),
        invited_by: display_name(&write, actor).await?,
        valid_for_hours: VALID_FOR_HOURS,
    };
    queue::enqueue_on(&write, mail, &address).await?;
    let after = views::member(write.txn(), account.id)
        .await?
        .ok_or_else(|| ApiError::Internal("an invited member vanished in its unit".into()))?;
    write.audit_target("StaffMember", account.id);
    write.audit_change(
        before.as_ref().map(MemberSnapshot::of).as_ref(),
        Some(&MemberSnapshot::of(&after)),
    );
    write.commit().await?;
    Ok(Ok(Changed {
        value: after,
        ended,
    }))
}

fn invalid_token() -> Vec<UserError> {
    vec![UserError::new(
        &["token"],
        ErrorCode::InvalidToken,
        "this invitation is not valid, was already used or has expired; ask for a new one",
    )]
}

/// Accepts an invitation: sets the account's password (the customer password policy) and
/// makes the member ACTIVE. Returns the account, to be signed in.
pub async fn accept(
    writer: &Writer,
    token: &str,
    password: String,
) -> ApiResult<Result<customer::Model, Vec<UserError>>> {
    // A token is 43 characters; anything much longer is not one, and is not hashed.
    if token.len() > 128 {
        return Ok(Err(invalid_token()));
    }
    let hash = digest(token);
    let now = Utc::now();
    let Some(invitation) = staff_invitation::Entity::find_by_id(hash.clone())
        .one(writer.db())
        .await?
        .filter(|i| i.used_at.is_none() && i.expires_at > now)
    else {
        return Ok(Err(invalid_token()));
    };
    let Some(account) = customer::Entity::find_by_id(invitation.customer_id)
        .one(writer.db())
        .await?
    else {
        return Ok(Err(invalid_token()));
    };
    if let Some(problem) = passwords::weakness(&password, &account.email) {
        return Ok(Err(vec![UserError::new(
            &["password"],
            ErrorCode::Invalid,
            problem,
        )]));
    }
    // Hashed before the unit begins: the write lock is not held for the hash's time.
    let password_hash = passwords::hash(password)
        .await
        .map_err(ApiError::Internal)?;
    let write = writer.begin().await?;
    let claimed = staff_invitation::Entity::update_many()
        .col_expr(staff_invitation::Column::UsedAt, Expr::value(Utc::now()))
        .filter(staff_invitation::Column::TokenHash.eq(hash))
        .filter(staff_invitation::Column::UsedAt.is_null())
        .filter(staff_invitation::Column::ExpiresAt.gt(Utc::now()))
        .exec(write.txn())
        .await?;
    // Of two acceptances of one link, one claims it; the other finds nothing to claim.
    if claimed.rows_affected != 1 {
        return Ok(Err(invalid_token()));
    }
    let Some(before) = views::member(write.txn(), account.id)
        .await?
        .filter(|b| b.member.status == StaffStatus::Invited)
    else {
        // Deactivated (or activated otherwise) since the link was sent.
        return Ok(Err(invalid_token()));
    };
    let mut changed = before.account.clone().into_active_model();
    changed.password_hash = Set(password_hash);
    changed.updated_at = Set(Utc::now());
    let account = changed.update(write.txn()).await?;
    let mut member = before.member.clone().into_active_model();
    member.status = Set(StaffStatus::Active);
    member.updated_at = Set(Utc::now());
    member.update(write.txn()).await?;
    retire_invitations(&write, account.id).await?;
    let after = views::member(write.txn(), account.id)
        .await?
        .ok_or_else(|| ApiError::Internal("an accepting member vanished in its unit".into()))?;
    write.audit_target("StaffMember", account.id);
    write.audit_change(
        Some(&MemberSnapshot::of(&before)),
        Some(&MemberSnapshot::of(&after)),
    );
    write.commit().await?;
    Ok(Ok(account))
}
