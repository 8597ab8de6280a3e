//! Refresh tokens: opaque random strings, stored only as SHA-256 hashes, rotated on every use.
//!
//! Each sign-in starts a *family*. Refreshing marks the presented token as rotated and issues
//! its successor in the same family. Presenting a token that was already rotated means it was
//! copied (or the client is confused): the whole family is revoked, so a thief's copy and the
//! victim's current token both stop working and the victim signs in again.
//!
//! Every revocation also ends the access tokens of the revoked families: it records a
//! `session.revoked` event on its unit of work (see `customers::sessions`), and returns it so
//! the caller can apply it to this replica at once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use entities::refresh_token;
use sea_orm::Condition;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::customers::events::{EndReason, EndedSessions, SessionRevoked};
use crate::error::{ApiError, ApiResult};
use crate::events::DomainEvent;
use crate::unit_of_work::{Write, Writer};
use sea_orm::QuerySelect;

/// Why a refresh token was refused; the client must sign in again.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Unknown,
    Expired,
    Revoked,
    /// A rotated token came back: its family is now revoked, and this event (recorded)
    /// ends its access tokens.
    Reused(Box<SessionRevoked>),
}

pub(crate) fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn new_secret() -> ApiResult<String> {
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

/// Starts a new family (a sign-in) and returns its id (the session id access tokens carry)
/// and its first token.
pub async fn start_family(
    writer: &Writer,
    customer_id: Uuid,
    ttl: Duration,
) -> ApiResult<(Uuid, String)> {
    let family = Uuid::now_v7();
    let write = writer.begin().await?;
    let secret = insert(write.txn(), customer_id, family, ttl).await?;
    write.commit().await?;
    Ok((family, secret))
}

/// A successful rotation: the account, its session (family) and the successor token.
pub struct Rotated {
    pub customer_id: Uuid,
    pub family_id: Uuid,
    pub successor: String,
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

/// Records on `write` that `sessions` of `customer_id` ended.
fn record_ended(
    write: &mut Write,
    customer_id: Uuid,
    sessions: Vec<Uuid>,
    reason: EndReason,
    at: DateTime<Utc>,
) -> SessionRevoked {
    let event = SessionRevoked {
        event_id: Uuid::now_v7(),
        account_id: customer_id,
        ended: EndedSessions::Sessions(sessions),
        reason,
        occurred_at: at,
    };
    write.record(DomainEvent::SessionRevoked(event.clone()));
    event
}

/// Revokes a family whose rotated token came back, and ends its access tokens.
async fn revoke_reused(
    writer: &Writer,
    token: &refresh_token::Model,
    at: DateTime<Utc>,
) -> ApiResult<SessionRevoked> {
    let mut write = writer.begin().await?;
    revoke_family(write.txn(), token.family_id, at).await?;
    let event = record_ended(
        &mut write,
        token.customer_id,
        vec![token.family_id],
        EndReason::RefreshTokenReused,
        at,
    );
    write.commit().await?;
    Ok(event)
}

/// Exchanges `presented` for its successor, or says why it was refused.
pub async fn rotate(
    writer: &Writer,
    presented: &str,
    ttl: Duration,
) -> ApiResult<Result<Rotated, Refused>> {
    let now = Utc::now();
    let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(digest(presented)))
        .one(writer.db())
        .await?
    else {
        return Ok(Err(Refused::Unknown));
    };
    if token.revoked_at.is_some() {
        return Ok(Err(Refused::Revoked));
    }
    if token.rotated_at.is_some() {
        let ended = revoke_reused(writer, &token, now).await?;
        return Ok(Err(Refused::Reused(Box::new(ended))));
    }
    if token.expires_at <= now {
        return Ok(Err(Refused::Expired));
    }
    let write = writer.begin().await?;
    // Conditional: of two concurrent refreshes with the same token exactly one wins; the loser
    // is treated as reuse.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RotatedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(token.id))
        .filter(refresh_token::Column::RotatedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(write.txn())
        .await?;
    if claimed.rows_affected != 1 {
        // Abandoned (rolled back) before the revocation begins its own unit: on SQLite two
        // write transactions at once would wait for each other.
        drop(write);
        let ended = revoke_reused(writer, &token, now).await?;
        return Ok(Err(Refused::Reused(Box::new(ended))));
    }
    let successor = insert(write.txn(), token.customer_id, token.family_id, ttl).await?;
    write.commit().await?;
    Ok(Ok(Rotated {
        customer_id: token.customer_id,
        family_id: token.family_id,
        successor,
    }))
}

/// Ends every session of `customer_id` except `keep` (the caller's own, for a password
/// change): revokes their live refresh tokens and records the `session.revoked` event that
/// ends their access tokens and websockets on every replica. Apply the returned event to this
/// replica after the commit (`SessionRevocations::apply`). Sessions are ended by id rather
/// than by issue time, so a token issued right after (a sign-in with the new password in the
/// same second) is not caught.
pub async fn end_sessions(
    write: &mut Write,
    customer_id: Uuid,
    keep: Option<Uuid>,
    reason: EndReason,
) -> ApiResult<SessionRevoked> {
    let now = Utc::now();
    let txn = write.txn();
    let mut live_families = refresh_token::Entity::find()
        .select_only()
        .column(refresh_token::Column::FamilyId)
        .filter(refresh_token::Column::CustomerId.eq(customer_id))
        .filter(live())
        .distinct();
    let mut revoked = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::CustomerId.eq(customer_id))
        .filter(live());
    if let Some(keep) = keep {
        live_families = live_families.filter(refresh_token::Column::FamilyId.ne(keep));
        revoked = revoked.filter(refresh_token::Column::FamilyId.ne(keep));
    }
    let sessions: Vec<Uuid> = live_families.into_tuple().all(txn).await?;
    revoked.exec(txn).await?;
    Ok(record_ended(write, customer_id, sessions, reason, now))
}

/// What a sign-out did: how many refresh tokens it revoked, and the event (recorded on the
/// same unit of work) that ends the sessions' access tokens.
pub struct Revoked {
    pub tokens: u64,
    pub ended: SessionRevoked,
}

/// Revokes the session of `presented` (its family), or with `all_sessions` every session of
/// its account; `None` for an unknown token.
pub async fn revoke(
    writer: &Writer,
    presented: &str,
    all_sessions: bool,
) -> ApiResult<Option<Revoked>> {
    let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(digest(presented)))
        .one(writer.db())
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    let mut write = writer.begin().await?;
    let txn = write.txn();
    let (sessions, tokens) = if all_sessions {
        // The account's sessions that still have a live token: those are the ones ending now.
        let mut sessions: Vec<Uuid> = refresh_token::Entity::find()
            .select_only()
            .column(refresh_token::Column::FamilyId)
            .filter(refresh_token::Column::CustomerId.eq(token.customer_id))
            .filter(live())
            .distinct()
            .into_tuple()
            .all(txn)
            .await?;
        if !sessions.contains(&token.family_id) {
            sessions.push(token.family_id);
        }
        let revoked = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
            .filter(refresh_token::Column::CustomerId.eq(token.customer_id))
            .filter(live())
            .exec(txn)
            .await?
            .rows_affected;
        (sessions, revoked)
    } else {
        let revoked = revoke_family(txn, token.family_id, now).await?;
        (vec![token.family_id], revoked)
    };
    let ended = record_ended(
        &mut write,
        token.customer_id,
        sessions,
        EndReason::SignOut,
        now,
    );
    write.commit().await?;
    Ok(Some(Revoked { tokens, ended }))
}
