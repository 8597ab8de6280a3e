//! Forgotten passwords: `customerPasswordResetRequest` mails a one-time link,
//! `customerPasswordReset` uses it.
//!
//! - **Nothing told.** The request's answer is the same whether an account has the address
//!   and takes the same time: the resolver only checks the address's form and the client's
//!   budget, then [`request_in_background`] does the lookup, the token and the mail on a task
//!   of its own, after the answer.
//! - **Token.** 32 random bytes (base64url) in the link, stored only as SHA-256, valid
//!   [`VALID_FOR_MINUTES`], used once (a conditional UPDATE on `used_at IS NULL AND
//!   expires_at > now`). A new request deletes the account's unused tokens: only the newest
//!   link works.
//! - **Budgets.** A client may ask `PasswordResetsPerClient` times an hour (then
//!   RATE_LIMITED); one address is mailed at most `PasswordResetsPerEmail` times an hour,
//!   whoever asks, and further requests are answered the same and send nothing, so the
//!   form cannot be used to flood someone's inbox.
//! - **Effect.** The new password (policy checked) and the end of every session of the
//!   account, in the unit that uses the token.

use super::refresh_tokens::{digest, end_sessions, new_secret};
use crate::common::budget::{Allowance, Budgets};
use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::events::{EndReason, SessionRevoked};
use crate::customers::passwords;
use crate::error::{ApiError, ApiResult};
use crate::notifications::Mail;
use crate::notifications::service::queue::enqueue_on;
use crate::unit_of_work::Writer;
use chrono::Duration;
use entities::{customer, password_reset_token as token};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// How long a reset link works.
pub const VALID_FOR_MINUTES: u32 = 60;

/// What a request needs besides the address.
pub struct ResetMailer {
    pub writer: Writer,
    pub budgets: Arc<dyn Budgets>,
    /// The storefront's base URL; the link is `{storefront}/account/reset-password?token=…`.
    pub storefront_url: String,
}

/// Sends a reset link to `email` (normalised) if an account has it, on a task of its own:
/// the caller answers at once, the same for every address.
pub fn request_in_background(mailer: ResetMailer, email: String) {
    tokio::spawn(async move {
        if let Err(err) = send_link(&mailer, &email).await {
            tracing::warn!(error = %err, "queueing a password-reset mail failed");
        }
    });
}

async fn send_link(mailer: &ResetMailer, email: &str) -> ApiResult<()> {
    // The counter's key holds a hash, not the address.
    let subject = format!("email:{}", hex::encode(Sha256::digest(email.as_bytes())));
    let verdict = mailer
        .budgets
        .spend(Allowance::PasswordResetsPerEmail, &subject, 1)
        .await;
    if verdict.is_some_and(|v| !v.allowed) {
        return Ok(());
    }
    let Some(account) = customer::Entity::find()
        .filter(customer::Column::Email.eq(email))
        .one(mailer.writer.db())
        .await?
    else {
        return Ok(());
    };
    let secret = new_secret()?;
    let at = now();
    let write = mailer.writer.begin().await?;
    token::Entity::delete_many()
        .filter(token::Column::CustomerId.eq(account.id))
        .filter(token::Column::UsedAt.is_null())
        .exec(write.txn())
        .await?;
    token::ActiveModel {
        token_hash: Set(digest(&secret)),
        customer_id: Set(account.id),
        expires_at: Set(at + Duration::minutes(i64::from(VALID_FOR_MINUTES))),
        used_at: Set(None),
        created_at: Set(at),
    }
    .insert(write.txn())
    .await?;
    let mail = Mail::PasswordReset {
        reset_url: format!(
            "{}/account/reset-password?token={secret}",
            mailer.storefront_url
        ),
        valid_for_minutes: VALID_FOR_MINUTES,
    };
    enqueue_on(&write, mail, &account.email).await?;
    write.commit().await
}

fn invalid_token() -> Vec<UserError> {
    vec![UserError::new(
        &["token"],
        ErrorCode::InvalidToken,
        "this reset link is not valid: it was used, has expired or was replaced by a newer one",
    )]
}

/// Sets `new_password` on the account of `presented` and ends every session of it, using
/// the token up. Apply the returned event after the commit.
pub async fn reset(
    writer: &Writer,
    presented: &str,
    new_password: String,
) -> ApiResult<Result<SessionRevoked, Vec<UserError>>> {
    // Longer than any token issued: refused without a lookup.
    if presented.len() > 128 {
        return Ok(Err(invalid_token()));
    }
    let hash = digest(presented.trim());
    let found = token::Entity::find_by_id(hash.clone())
        .one(writer.db())
        .await?;
    let at = now();
    let Some(found) = found.filter(|t| t.used_at.is_none() && t.expires_at > at) else {
        return Ok(Err(invalid_token()));
    };
    let Some(account) = customer::Entity::find_by_id(found.customer_id)
        .one(writer.db())
        .await?
    else {
        return Ok(Err(invalid_token()));
    };
    if let Some(problem) = passwords::weakness(&new_password, &account.email) {
        return Ok(Err(vec![UserError::new(
            &["newPassword"],
            ErrorCode::Invalid,
            problem,
        )]));
    }
    let password_hash = passwords::hash(new_password)
        .await
        .map_err(ApiError::Internal)?;
    let mut write = writer.begin().await?;
    let used = token::Entity::update_many()
        .col_expr(token::Column::UsedAt, Expr::value(now()))
        .filter(token::Column::TokenHash.eq(hash))
        .filter(token::Column::UsedAt.is_null())
        .filter(token::Column::ExpiresAt.gt(now()))
        .exec(write.txn())
        .await?;
    if used.rows_affected != 1 {
        // Used by a reset that committed meanwhile (or it just expired): nothing changes.
        return Ok(Err(invalid_token()));
    }
    customer::Entity::update_many()
        .col_expr(customer::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(customer::Column::UpdatedAt, Expr::value(now()))
        .filter(customer::Column::Id.eq(account.id))
        .exec(write.txn())
        .await?;
    let ended = end_sessions(&mut write, account.id, None, EndReason::PasswordReset).await?;
    write.commit().await?;
    Ok(Ok(ended))
}
