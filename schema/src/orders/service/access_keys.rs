//! Order access keys (SPEC §8 "Guest orders"): a secret that opens one order to whoever holds
//! it, so a guest — who has no account to sign in with — can read the order
//! (`orderByAccessKey`) and follow it live (`orderUpdated(accessKey:)`).
//!
//! A key is `ok_` (so people and secret scanners recognise it) and 24 random bytes in
//! base64url: 192 bits, far past guessing. Only its SHA-256 is stored, so a copy of the
//! database opens nothing, and the key is shown once, in the checkout's answer. A checkout
//! replayed with the same idempotency key cannot show that key again, so it issues another
//! for the same order — at most [`MAX_KEYS_PER_ORDER`], so a client stuck in a retry loop
//! cannot grow the table without bound. A guest's order mails carry a key of their own, in
//! the same format, derived from the mail secret and the order so that all of them hold one
//! key (`notifications::service::links`); it counts towards the same cap. Keys are never
//! logged.

use crate::common::clock::now;
use crate::error::{ApiError, ApiResult};
use crate::unit_of_work::{Write, Writer};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entities::{order, order_access_key};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What every key starts with.
pub const PREFIX: &str = "ok_";
const RANDOM_BYTES: usize = 24;
/// Base64 without padding: 4 characters per 3 bytes.
const KEY_LEN: usize = PREFIX.len() + RANDOM_BYTES / 3 * 4;
/// Keys one order may have; a replay past it answers without one.
pub const MAX_KEYS_PER_ORDER: u64 = 20;

/// What is stored for `key`: its SHA-256 in hex.
pub fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn new_key() -> ApiResult<String> {
    let mut bytes = [0u8; RANDOM_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// Whether `key` could be a key at all; anything else is answered like an unknown key,
/// without a lookup (and without hashing arbitrary amounts of input).
fn well_formed(key: &str) -> bool {
    key.len() == KEY_LEN
        && key.strip_prefix(PREFIX).is_some_and(|random| {
            random
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Issues a key for `order_id` on the caller's unit (checkout's, beside the order itself)
/// and returns it: the only time it exists outside the buyer's hands.
pub async fn issue(write: &Write, order_id: Uuid) -> ApiResult<String> {
    let key = new_key()?;
    order_access_key::ActiveModel {
        key_hash: Set(digest(&key)),
        order_id: Set(order_id),
        created_at: Set(now()),
    }
    .insert(write.txn())
    .await?;
    Ok(key)
}

/// Issues one more key for an existing order in a unit of its own (a replayed checkout), or
/// `None` when the order already has [`MAX_KEYS_PER_ORDER`].
pub async fn issue_another(writer: &Writer, order_id: Uuid) -> ApiResult<Option<String>> {
    let key = new_key()?;
    Ok(hold(writer, order_id, &key).await?.then_some(key))
}

/// Makes `key` open `order_id` in a unit of its own, unless the order already has
/// [`MAX_KEYS_PER_ORDER`] keys (or does not exist); true when the key opens it. A key it
/// already holds is not stored twice: mails derive their key (`notifications`), so every
/// mail of the order asks for the same one.
pub async fn hold(writer: &Writer, order_id: Uuid, key: &str) -> ApiResult<bool> {
    if !well_formed(key) {
        return Err(ApiError::Internal("a malformed order access key".into()));
    }
    let write = writer.begin().await?;
    // The order's row is locked before counting (PostgreSQL; SQLite's writers queue anyway),
    // so concurrent replays count each other's keys and the cap holds.
    let locked: Option<Uuid> = order::Entity::find_by_id(order_id)
        .select_only()
        .column(order::Column::Id)
        .lock_exclusive()
        .into_tuple()
        .one(write.txn())
        .await?;
    if locked.is_none() {
        return Ok(false);
    }
    let held = order_access_key::Entity::find()
        .filter(order_access_key::Column::OrderId.eq(order_id))
        .count(write.txn())
        .await?;
    if held >= MAX_KEYS_PER_ORDER {
        // One of them may be this one (a mail's retry).
        return opens(write.txn(), key, order_id).await;
    }
    order_access_key::Entity::insert(order_access_key::ActiveModel {
        key_hash: Set(digest(key)),
        order_id: Set(order_id),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(order_access_key::Column::KeyHash)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(write.txn())
    .await?;
    write.commit().await?;
    Ok(true)
}

/// The order `key` opens, if any (one statement: the key's row joined to its order).
pub async fn order_opened_by(
    db: &impl ConnectionTrait,
    key: &str,
) -> ApiResult<Option<order::Model>> {
    if !well_formed(key) {
        return Ok(None);
    }
    let found = order_access_key::Entity::find_by_id(digest(key))
        .find_also_related(order::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(_, order)| order))
}

/// Whether `key` opens the order `order_id`.
pub async fn opens(db: &impl ConnectionTrait, key: &str, order_id: Uuid) -> ApiResult<bool> {
    if !well_formed(key) {
        return Ok(false);
    }
    let found = order_access_key::Entity::find_by_id(digest(key))
        .filter(order_access_key::Column::OrderId.eq(order_id))
        .one(db)
        .await?;
    Ok(found.is_some())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_long_and_well_formed() {
        let key = new_key().unwrap();
        assert!(key.starts_with(PREFIX));
        assert_eq!(key.len(), KEY_LEN);
        assert!(well_formed(&key));
        assert_ne!(key, new_key().unwrap());
    }

    #[test]
    fn malformed_keys_are_recognised_without_a_lookup() {
        let key = new_key().unwrap();
        for bad in [
            String::new(),
            PREFIX.to_owned(),
            key[PREFIX.len()..].to_owned(),
            format!("{key}A"),
            format!("xx_{}", &key[PREFIX.len()..]),
            format!("{}+", &key[..KEY_LEN - 1]),
        ] {
            assert!(!well_formed(&bad), "{bad}");
        }
    }

    #[test]
    fn the_digest_is_hex_sha256() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
