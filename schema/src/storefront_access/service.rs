//! Creating, listing, revoking and checking storefront access tokens.

use crate::common::clock::now;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiError, ApiResult};
use crate::unit_of_work::Writer;
use entities::storefront_token;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Live tokens a shop may hold at once: enough for every storefront and preview deployment.
pub const MAX_ACTIVE_TOKENS: u64 = 100;
const MAX_NAME_LEN: usize = 100;

/// Shopify's storefront tokens are 32 lowercase hex characters, and storefront libraries
/// check that shape; 16 random bytes give the same shape (128 bits).
fn new_token() -> ApiResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no such storefront token")
}

/// Creates a token called `name`; returns it with its secret, which is not stored.
pub async fn create(
    writer: &Writer,
    name: &str,
) -> ApiResult<Result<(storefront_token::Model, String), Vec<UserError>>> {
    let name = match text::optional_line(Some(name), MAX_NAME_LEN) {
        Ok(Some(name)) => name,
        Ok(None) => {
            let problem = "give the token a name (which storefront uses it)";
            return Ok(Err(vec![UserError::new(
                &["name"],
                ErrorCode::Invalid,
                problem,
            )]));
        }
        Err(problem) => {
            return Ok(Err(vec![UserError::new(
                &["name"],
                ErrorCode::Invalid,
                problem.to_string(),
            )]));
        }
    };
    let secret = new_token()?;
    let write = writer.begin().await?;
    let active = storefront_token::Entity::find()
        .filter(storefront_token::Column::RevokedAt.is_null())
        .count(write.txn())
        .await?;
    if active >= MAX_ACTIVE_TOKENS {
        return Ok(Err(vec![UserError::new(
            &["name"],
            ErrorCode::LimitReached,
            format!("at most {MAX_ACTIVE_TOKENS} storefront tokens; revoke one first"),
        )]));
    }
    let token = storefront_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        token_hash: Set(digest(&secret)),
        created_at: Set(now()),
        revoked_at: Set(None),
    }
    .insert(write.txn())
    .await?;
    write.audit_target("StorefrontToken", token.id);
    write.audit_change(None, Some(&token));
    write.commit().await?;
    Ok(Ok((token, secret)))
}

/// Revokes a token: storefronts sending it are refused from now on. A token already revoked
/// is a user error (nothing changes).
pub async fn revoke(
    writer: &Writer,
    id: Uuid,
) -> ApiResult<Result<storefront_token::Model, Vec<UserError>>> {
    let write = writer.begin().await?;
    let Some(before) = storefront_token::Entity::find_by_id(id)
        .one(write.txn())
        .await?
    else {
        return Ok(Err(vec![not_found()]));
    };
    if before.revoked_at.is_some() {
        return Ok(Err(vec![UserError::new(
            &["id"],
            ErrorCode::Invalid,
            "this storefront token is already revoked",
        )]));
    }
    storefront_token::Entity::update_many()
        .col_expr(storefront_token::Column::RevokedAt, Expr::value(now()))
        .filter(storefront_token::Column::Id.eq(id))
        .filter(storefront_token::Column::RevokedAt.is_null())
        .exec(write.txn())
        .await?;
    let after = storefront_token::Entity::find_by_id(id)
        .one(write.txn())
        .await?
        .ok_or_else(|| ApiError::Internal("a storefront token vanished while revoked".into()))?;
    write.audit_target("StorefrontToken", id);
    write.audit_change(Some(&before), Some(&after));
    write.commit().await?;
    Ok(Ok(after))
}

/// Every token, newest first (revoked ones included, so staff see when they stopped).
pub async fn list(db: &impl ConnectionTrait) -> ApiResult<Vec<storefront_token::Model>> {
    Ok(storefront_token::Entity::find()
        .order_by_desc(storefront_token::Column::Id)
        .all(db)
        .await?)
}

/// The live token `presented` is, if any: what the Shopify-shaped endpoint asks of every
/// request that carries `X-Shopify-Storefront-Access-Token`.
pub async fn live_token(db: &impl ConnectionTrait, presented: &str) -> ApiResult<Option<Uuid>> {
    // Anything much longer than a token is not one, and is not hashed.
    if presented.len() > 128 {
        return Ok(None);
    }
    Ok(storefront_token::Entity::find()
        .filter(storefront_token::Column::TokenHash.eq(digest(presented.trim())))
        .filter(storefront_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .map(|token| token.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_shape_storefront_libraries_expect() {
        let token = new_token().unwrap_or_default();
        assert_eq!(token.len(), 32);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(token, new_token().unwrap_or_default());
        assert_eq!(digest(&token).len(), 64);
    }
}
