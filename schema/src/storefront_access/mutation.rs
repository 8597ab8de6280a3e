//! Staff changes to storefront access tokens (MANAGE_SETTINGS): `storefrontTokenCreate`,
//! `storefrontTokenRevoke`.

use super::service;
use super::types::{StorefrontTokenCreatePayload, StorefrontTokenRevokePayload};
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct StorefrontAccessMutation;

#[Object]
impl StorefrontAccessMutation {
    /// Creates an access token for a storefront (Next.js Commerce's
    /// `SHOPIFY_STOREFRONT_ACCESS_TOKEN`). The answer carries the token, shown this once.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn storefront_token_create(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> Result<StorefrontTokenCreatePayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageSettings])?;
        Ok(match service::create(&ctx.writer()?, &name).await? {
            Ok((token, secret)) => StorefrontTokenCreatePayload {
                storefront_token: Some(token.into()),
                token: Some(secret),
                user_errors: Vec::new(),
            },
            Err(user_errors) => StorefrontTokenCreatePayload {
                storefront_token: None,
                token: None,
                user_errors,
            },
        })
    }

    /// Revokes a storefront access token: requests carrying it are refused from now on.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn storefront_token_revoke(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<StorefrontTokenRevokePayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageSettings])?;
        let id = parse_id(&id, "id")?;
        Ok(match service::revoke(&ctx.writer()?, id).await? {
            Ok(token) => StorefrontTokenRevokePayload {
                storefront_token: Some(token.into()),
                user_errors: Vec::new(),
            },
            Err(user_errors) => StorefrontTokenRevokePayload {
                storefront_token: None,
                user_errors,
            },
        })
    }
}
