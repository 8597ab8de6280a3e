//! Queueing deliveries from the outbox: the relay hands every event to [`WebhookConsumer`] in
//! the transaction that marks it published, and each message goes into `webhook_deliveries`
//! once per active webhook subscribed to its topic, body and all. Both commit or neither, and
//! the unique `(webhook_id, event_id)` keeps a repeated pass from queueing anything twice, so
//! each message reaches each webhook exactly once as a row, whatever crashes.

use super::WebhookRuntime;
use super::payload::{self, Reads};
use crate::common::clock::now;
use crate::error::ApiResult;
use crate::events::DomainEvent;
use crate::events::relay::OutboxConsumer;
use crate::unit_of_work::Write;
use crate::webhooks::topics::messages;
use entities::enums::WebhookDeliveryStatus;
use entities::json::StringList;
use entities::{webhook, webhook_delivery};
use futures_util::future::BoxFuture;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use std::sync::Arc;
use uuid::Uuid;

/// Registered with the outbox relay (`OutboxRelay::with_consumer`).
pub struct WebhookConsumer {
    runtime: Arc<WebhookRuntime>,
}

impl WebhookConsumer {
    pub fn new(runtime: Arc<WebhookRuntime>) -> Self {
        Self { runtime }
    }
}

impl OutboxConsumer for WebhookConsumer {
    fn name(&self) -> &'static str {
        "webhooks"
    }

    fn consume<'a>(
        &'a self,
        write: &'a mut Write,
        events: &'a [DomainEvent],
    ) -> BoxFuture<'a, ApiResult<bool>> {
        Box::pin(queue(write.txn(), events))
    }

    /// The deliveries just committed are due now: this process's worker sends them.
    fn wake(&self) {
        self.runtime.wake();
    }
}

/// Rows per INSERT: 14 columns each, far below SQLite's 32,766 parameters.
const ROWS_PER_INSERT: usize = 1_000;

/// Queues the deliveries `events` make; returns whether it queued any.
pub async fn queue(db: &impl ConnectionTrait, events: &[DomainEvent]) -> ApiResult<bool> {
    if events.is_empty() {
        return Ok(false);
    }
    // Most shops have a handful of webhooks (at most `MAX_WEBHOOKS`); none is the common case
    // and costs this one statement per relay pass.
    let webhooks: Vec<(Uuid, StringList)> = webhook::Entity::find()
        .select_only()
        .column(webhook::Column::Id)
        .column(webhook::Column::Topics)
        .filter(webhook::Column::Active.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    if webhooks.is_empty() {
        return Ok(false);
    }
    let at = now();
    let mut reads = Reads::default();
    let mut rows = Vec::new();
    for event in events {
        for message in messages(event) {
            let topic = message.topic.as_str();
            let subscribed: Vec<Uuid> = webhooks
                .iter()
                .filter(|(_, topics)| topics.0.iter().any(|t| t == topic))
                .map(|(id, _)| *id)
                .collect();
            if subscribed.is_empty() {
                continue;
            }
            let body = payload::body(db, &mut reads, event, &message).await?;
            rows.extend(
                subscribed
                    .into_iter()
                    .map(|webhook_id| webhook_delivery::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        webhook_id: Set(webhook_id),
                        event_id: Set(message.id),
                        topic: Set(topic.to_owned()),
                        body: Set(body.clone()),
                        status: Set(WebhookDeliveryStatus::Pending),
                        attempts: Set(0),
                        last_response_status: Set(None),
                        last_error: Set(None),
                        next_attempt_at: Set(Some(at)),
                        created_at: Set(at),
                        updated_at: Set(at),
                        sent_at: Set(None),
                    }),
            );
        }
    }
    let queued = !rows.is_empty();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        // DO NOTHING, not a unique violation: on PostgreSQL a failed statement would abort
        // the relay's whole transaction.
        let key = [
            webhook_delivery::Column::WebhookId,
            webhook_delivery::Column::EventId,
        ];
        webhook_delivery::Entity::insert_many(chunk.to_vec())
            .on_conflict(OnConflict::columns(key).do_nothing().to_owned())
            .exec_without_returning(db)
            .await?;
    }
    Ok(queued)
}
