//! Webhook types for staff: webhooks (never their secret, which only the create and rotate
//! payloads carry) and their deliveries.

use super::service::deliveries;
use super::topics::WebhookTopic;
use crate::common::pagination::PageInfo;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::error::ApiError;
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entities::enums::WebhookDeliveryStatus as StoredStatus;
use entities::{webhook, webhook_delivery};

/// Where a delivery stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "StoredStatus")]
pub enum WebhookDeliveryStatus {
    /// Not attempted yet, or made due again by `webhookDeliveryRetry`.
    Pending,
    /// The receiver answered 2xx.
    Succeeded,
    /// The last attempt failed; another is due at `nextAttemptAt`.
    Failed,
    /// Every attempt of the retry schedule failed; `webhookDeliveryRetry` sends it again.
    GaveUp,
}

/// A subscription: events of its topics are POSTed to its URL, signed with its secret (the
/// Standard Webhooks format).
pub struct Webhook(pub webhook::Model);

#[Object]
impl Webhook {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn url(&self) -> &str {
        &self.0.url
    }

    async fn topics(&self) -> Result<Vec<WebhookTopic>> {
        self.0
            .topics
            .0
            .iter()
            .map(|name| {
                name.parse().map_err(|()| {
                    ApiError::Internal(format!("a stored webhook topic `{name}` is unknown")).into()
                })
            })
            .collect()
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Off: nothing new is queued for it and its waiting deliveries are held until it is on
    /// again.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// Why the server switched it off (too many failed attempts in a row); null when it is on
    /// or staff switched it off.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }

    /// Failed attempts since its last success.
    async fn consecutive_failures(&self) -> i32 {
        self.0.consecutive_failures
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Its deliveries, newest first, optionally of one status (e.g. `FAILED` or `GAVE_UP`).
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        status: Option<WebhookDeliveryStatus>,
    ) -> Result<WebhookDeliveryConnection> {
        let state = ctx.state()?;
        let first = u64::try_from(first.max(0))
            .unwrap_or_default()
            .min(state.settings.max_page_size);
        let (page, has_next_page) = deliveries::page(
            &state.db,
            self.0.id,
            status.map(Into::into),
            first,
            after.as_deref(),
        )
        .await?;
        let cursor = |d: &webhook_delivery::Model| d.id.to_string();
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: false,
            start_cursor: page.first().map(cursor),
            end_cursor: page.last().map(cursor),
        };
        Ok(WebhookDeliveryConnection {
            nodes: page.into_iter().map(WebhookDelivery).collect(),
            page_info,
        })
    }
}

/// One message for one webhook and how sending it went.
pub struct WebhookDelivery(pub webhook_delivery::Model);

#[Object]
impl WebhookDelivery {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn topic(&self) -> Result<WebhookTopic> {
        let name = &self.0.topic;
        Ok(name.parse().map_err(|()| {
            ApiError::Internal(format!("a stored webhook topic `{name}` is unknown"))
        })?)
    }

    /// The message id: the body's `id` and the `webhook-id` header, the same on every
    /// attempt, so receivers drop repeats by it.
    async fn event_id(&self) -> ID {
        ID(self.0.event_id.to_string())
    }

    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status.into()
    }

    /// Attempts made so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// The HTTP status the receiver last answered (null when it did not answer).
    async fn last_response_status(&self) -> Option<i32> {
        self.0.last_response_status
    }

    /// Why the last attempt failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// When it is due to be sent (again); null once it SUCCEEDED or GAVE_UP.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(SimpleObject)]
pub struct WebhookDeliveryConnection {
    pub nodes: Vec<WebhookDelivery>,
    /// Cursors are delivery ids; pass `endCursor` as `after` for the next page.
    pub page_info: PageInfo,
}

#[derive(InputObject, Clone, Debug)]
pub struct WebhookCreateInput {
    /// An https URL (http is accepted outside production). Addresses in private networks
    /// are refused unless the server allows them (`WEBHOOK_ALLOW_PRIVATE_NETWORKS`).
    pub url: String,
    /// At least one.
    pub topics: Vec<WebhookTopic>,
    /// A note for staff (at most 255 characters).
    pub description: Option<String>,
    /// Defaults to true.
    pub active: Option<bool>,
}

#[derive(InputObject, Clone, Debug)]
pub struct WebhookUpdateInput {
    pub url: Option<String>,
    /// Replaces the whole list.
    pub topics: Option<Vec<WebhookTopic>>,
    /// `null` clears it.
    pub description: MaybeUndefined<String>,
    /// `true` switches on a webhook the server switched off (its failure count starts
    /// afresh).
    pub active: Option<bool>,
}

/// A new webhook and its signing secret.
#[derive(SimpleObject)]
pub struct WebhookCreatePayload {
    pub webhook: Option<Webhook>,
    /// `whsec_…`: verify deliveries with it. Shown this once; `webhookSecretRotate` makes
    /// another.
    pub secret: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct WebhookPayload {
    pub webhook: Option<Webhook>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct WebhookDeletePayload {
    pub deleted_webhook_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

/// The webhook and its new secret.
#[derive(SimpleObject)]
pub struct WebhookSecretRotatePayload {
    pub webhook: Option<Webhook>,
    /// Shown this once. Every attempt from now on is signed with it, retries of earlier
    /// messages included.
    pub secret: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct WebhookDeliveryPayload {
    pub delivery: Option<WebhookDelivery>,
    pub user_errors: Vec<UserError>,
}
