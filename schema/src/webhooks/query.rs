//! `webhooks` (staff with MANAGE_WEBHOOKS): every subscription, without secrets.

use super::service::manage;
use super::types::Webhook;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, Object, Result};

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Every webhook, oldest first.
    #[graphql(cache_control(no_cache))]
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<Webhook>> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageWebhooks])?;
        let webhooks = manage::list(&ctx.state()?.db).await?;
        Ok(webhooks.into_iter().map(Webhook).collect())
    }
}
