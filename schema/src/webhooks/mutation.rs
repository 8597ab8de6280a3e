//! Staff changes to webhooks (MANAGE_WEBHOOKS): `webhookCreate`, `webhookUpdate`,
//! `webhookDelete`, `webhookSecretRotate` and `webhookDeliveryRetry`.

use super::service::target::TargetRules;
use super::service::{deliveries, manage};
use super::types::{
    Webhook, WebhookCreateInput, WebhookCreatePayload, WebhookDeletePayload, WebhookDelivery,
    WebhookDeliveryPayload, WebhookPayload, WebhookSecretRotatePayload, WebhookUpdateInput,
};
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::context::{AppState, ContextExt};
use crate::customers::auth::Permission;
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct WebhookMutation;

fn require_webhooks(ctx: &Context<'_>) -> Result<()> {
    ctx.request()?
        .viewer
        .require_any(&[Permission::ManageWebhooks])?;
    Ok(())
}

fn rules(state: &AppState) -> TargetRules {
    let settings = &state.settings.webhooks;
    TargetRules {
        allow_private_networks: settings.allow_private_networks,
        require_https: settings.require_https,
    }
}

#[Object]
impl WebhookMutation {
    /// Subscribes a URL to topics. The answer carries the signing secret, shown this once.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn webhook_create(
        &self,
        ctx: &Context<'_>,
        input: WebhookCreateInput,
    ) -> Result<WebhookCreatePayload> {
        require_webhooks(ctx)?;
        let state = ctx.state()?;
        let spec = manage::WebhookSpec {
            url: Some(input.url),
            topics: Some(input.topics),
            description: Some(input.description),
            active: input.active,
        };
        Ok(
            match manage::create(&ctx.writer()?, &rules(state), spec).await? {
                Ok((webhook, secret)) => WebhookCreatePayload {
                    webhook: Some(Webhook(webhook)),
                    secret: Some(secret.expose().to_owned()),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => WebhookCreatePayload {
                    webhook: None,
                    secret: None,
                    user_errors,
                },
            },
        )
    }

    /// Changes a webhook; `active: true` switches on one the server switched off, and its
    /// held deliveries go out.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn webhook_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: WebhookUpdateInput,
    ) -> Result<WebhookPayload> {
        require_webhooks(ctx)?;
        let state = ctx.state()?;
        let spec = manage::WebhookSpec {
            url: input.url,
            topics: input.topics,
            description: input.description.into(),
            active: input.active,
        };
        let outcome =
            manage::update(&ctx.writer()?, &rules(state), parse_id(&id, "id")?, spec).await?;
        if outcome.as_ref().is_ok_and(|w| w.active) {
            state.webhooks.wake();
        }
        Ok(match outcome {
            Ok(webhook) => WebhookPayload {
                webhook: Some(Webhook(webhook)),
                user_errors: Vec::new(),
            },
            Err(user_errors) => WebhookPayload {
                webhook: None,
                user_errors,
            },
        })
    }

    /// Deletes a webhook and its deliveries.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn webhook_delete(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookDeletePayload> {
        require_webhooks(ctx)?;
        let id = parse_id(&id, "id")?;
        Ok(match manage::delete(&ctx.writer()?, id).await? {
            Ok(id) => WebhookDeletePayload {
                deleted_webhook_id: Some(ID(id.to_string())),
                user_errors: Vec::new(),
            },
            Err(user_errors) => WebhookDeletePayload {
                deleted_webhook_id: None,
                user_errors,
            },
        })
    }

    /// Gives the webhook a new signing secret, shown this once; the old one stops working at
    /// once.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn webhook_secret_rotate(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<WebhookSecretRotatePayload> {
        require_webhooks(ctx)?;
        let id = parse_id(&id, "id")?;
        Ok(match manage::rotate_secret(&ctx.writer()?, id).await? {
            Ok((webhook, secret)) => WebhookSecretRotatePayload {
                webhook: Some(Webhook(webhook)),
                secret: Some(secret.expose().to_owned()),
                user_errors: Vec::new(),
            },
            Err(user_errors) => WebhookSecretRotatePayload {
                webhook: None,
                secret: None,
                user_errors,
            },
        })
    }

    /// Sends a delivery again now (one that failed, gave up, or even succeeded), with the
    /// same body and message id.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn webhook_delivery_retry(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<WebhookDeliveryPayload> {
        require_webhooks(ctx)?;
        let state = ctx.state()?;
        let id = parse_id(&id, "id")?;
        Ok(match deliveries::retry(&ctx.writer()?, id).await? {
            Ok(delivery) => {
                state.webhooks.wake();
                WebhookDeliveryPayload {
                    delivery: Some(WebhookDelivery(delivery)),
                    user_errors: Vec::new(),
                }
            }
            Err(user_errors) => WebhookDeliveryPayload {
                delivery: None,
                user_errors,
            },
        })
    }
}
