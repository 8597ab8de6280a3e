//! `customerPasswordChange`: the signed-in customer proves the current password and picks a
//! new one; every other session of the account ends (a thief signed in elsewhere is out),
//! the one that made the change goes on.

use super::refresh_tokens::end_sessions;
use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::events::{EndReason, SessionRevoked};
use crate::customers::passwords;
use crate::error::{ApiError, ApiResult};
use crate::unit_of_work::Writer;
use entities::customer;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Checks `current`, the policy for `new`, then stores the new hash and ends every session
/// of `account` but `keep` in one unit. Apply the returned event after the commit.
pub async fn change(
    writer: &Writer,
    account: Uuid,
    keep: Option<Uuid>,
    current: String,
    new: String,
) -> ApiResult<Result<SessionRevoked, Vec<UserError>>> {
    let Some(found) = customer::Entity::find_by_id(account)
        .one(writer.db())
        .await?
    else {
        return Err(ApiError::Unauthenticated);
    };
    let mut errors = Vec::new();
    let fits = current.len() <= passwords::MAX_PASSWORD_LEN * 4;
    if !(fits && passwords::verify(current, Some(found.password_hash.clone())).await) {
        errors.push(UserError::new(
            &["currentPassword"],
            ErrorCode::InvalidCredentials,
            "the current password is incorrect",
        ));
    }
    if let Some(problem) = passwords::weakness(&new, &found.email) {
        errors.push(UserError::new(
            &["newPassword"],
            ErrorCode::Invalid,
            problem,
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let hash = passwords::hash(new).await.map_err(ApiError::Internal)?;
    let mut write = writer.begin().await?;
    // Conditional on the hash just checked: of two changes at once, the second finds the
    // password changed under it and is refused like a wrong current password.
    let updated = customer::Entity::update_many()
        .col_expr(customer::Column::PasswordHash, Expr::value(hash))
        .col_expr(customer::Column::UpdatedAt, Expr::value(now()))
        .filter(customer::Column::Id.eq(account))
        .filter(customer::Column::PasswordHash.eq(found.password_hash))
        .exec(write.txn())
        .await?;
    if updated.rows_affected != 1 {
        return Ok(Err(vec![UserError::new(
            &["currentPassword"],
            ErrorCode::InvalidCredentials,
            "the current password is incorrect",
        )]));
    }
    let ended = end_sessions(&mut write, account, keep, EndReason::PasswordChanged).await?;
    write.commit().await?;
    Ok(Ok(ended))
}
