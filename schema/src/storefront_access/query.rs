//! `storefrontTokens` (staff with MANAGE_SETTINGS).

use super::service;
use super::types::StorefrontToken;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, Object, Result};

#[derive(Default)]
pub struct StorefrontAccessQuery;

#[Object]
impl StorefrontAccessQuery {
    /// Every storefront access token, newest first, revoked ones included (no secrets).
    #[graphql(cache_control(no_cache))]
    async fn storefront_tokens(&self, ctx: &Context<'_>) -> Result<Vec<StorefrontToken>> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageSettings])?;
        let tokens = service::list(&ctx.state()?.db).await?;
        Ok(tokens.into_iter().map(StorefrontToken::from).collect())
    }
}
