//! Refresh tokens: opaque random strings, stored only as SHA-256 hashes, rotated on every use.
//!
//! Each sign-in starts a *family*. Refreshing marks the presented token as rotated and issues
//! its successor in the same family. Presenting a token that was already rotated means it was
//! copied (or the client is confused): the whole family is revoked, so a thief's copy and the
//! victim's current token both stop working and the victim signs in again.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use entities::refresh_token;
use sea_orm::Condition;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::common::transaction::begin_write;
use crate::error::{ApiError, ApiResult};

/// Why a refresh token was refused; the client must sign in again.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Unknown,
    Expired,
    Revoked,
    /// A rotated token came back: its family is now revoked.
    Reused,
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_secret() -> ApiResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Stores a new token of `family` for `customer_id` and returns its secret.
async fn insert(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
    family_id: Uuid,
    ttl: Duration,
) -> ApiResult<String> {
    let secret = new_secret()?;
    let now = Utc::now();
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(customer_id),
        family_id: Set(family_id),
        token_hash: Set(digest(&secret)),
        expires_at: Set(now + ttl),
        rotated_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(secret)
}

/// Starts a new family (a sign-in) and returns its first token.
pub async fn start_family(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
    ttl: Duration,
) -> ApiResult<String> {
    insert(db, customer_id, Uuid::now_v7(), ttl).await
}

/// Tokens that would still be accepted: neither rotated nor revoked. (A rotated token is
/// already refused, and presenting it again is detected as reuse by `rotated_at`.)
fn live() -> Condition {
    Condition::all()
        .add(refresh_token::Column::RotatedAt.is_null())
        .add(refresh_token::Column::RevokedAt.is_null())
}

async fn revoke_family(
    db: &impl ConnectionTrait,
    family_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<u64> {
    let result = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(at))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(live())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Exchanges `presented` for its successor: `Ok(Ok((customer_id, new_secret)))`, or the
/// reason it was refused.
pub async fn rotate(
    db: &DatabaseConnection,
    presented: &str,
    ttl: Duration,
) -> ApiResult<Result<(Uuid, String), Refused>> {
    let now = Utc::now();
    let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(digest(presented)))
        .one(db)
        .await?
    else {
        return Ok(Err(Refused::Unknown));
    };
    if token.revoked_at.is_some() {
        return Ok(Err(Refused::Revoked));
    }
    if token.rotated_at.is_some() {
        revoke_family(db, token.family_id, now).await?;
        return Ok(Err(Refused::Reused));
    }
    if token.expires_at <= now {
        return Ok(Err(Refused::Expired));
    }
    let txn = begin_write(db).await?;
    // Conditional: of two concurrent refreshes with the same token exactly one wins; the loser
    // is treated as reuse.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RotatedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(token.id))
        .filter(refresh_token::Column::RotatedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        txn.rollback().await?;
        revoke_family(db, token.family_id, now).await?;
        return Ok(Err(Refused::Reused));
    }
    let successor = insert(&txn, token.customer_id, token.family_id, ttl).await?;
    txn.commit().await?;
    Ok(Ok((token.customer_id, successor)))
}

/// Revokes the session of `presented` (its family), or with `all_sessions` every session of
/// its account. Returns the account and how many tokens were revoked, or `None` for an unknown
/// token.
pub async fn revoke(
    db: &impl ConnectionTrait,
    presented: &str,
    all_sessions: bool,
) -> ApiResult<Option<(Uuid, u64)>> {
    let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(digest(presented)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    let revoked = if all_sessions {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
            .filter(refresh_token::Column::CustomerId.eq(token.customer_id))
            .filter(live())
            .exec(db)
            .await?
            .rows_affected
    } else {
        revoke_family(db, token.family_id, now).await?
    };
    Ok(Some((token.customer_id, revoked)))
}
