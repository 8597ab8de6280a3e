//! The delivery worker (one per process): claims due deliveries, sends them outside any
//! transaction, and records each outcome.
//!
//! 1. **Claim** in a short unit of work: due PENDING or FAILED deliveries of active webhooks,
//!    soonest first (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas never claim the same
//!    row; SQLite's single writer serialises claims). Claiming counts the attempt and leases
//!    the row by moving `next_attempt_at` past the send's timeout: no other worker takes it
//!    meanwhile, and if this process dies mid-send the lease runs out and another sends it.
//! 2. **Send** with no transaction open (`send`).
//! 3. **Settle** in another unit, guarded by the attempt number the claim took, so a late
//!    outcome of an expired lease never overwrites a newer attempt: a 2xx is SUCCEEDED and
//!    resets the webhook's failure count; a failure schedules the next attempt (`schedule`)
//!    or GAVE_UP, and counts against the webhook, which is switched off after
//!    `disable_after_failures` failures in a row.
//!
//! Delivery is at least once: a crash between the receiver's 2xx and step 3 sends the message
//! again after the lease, with the same `webhook-id`, which receivers use to drop repeats.

use super::deliveries;
use super::schedule::retry_delay;
use super::send::{Attempt, Sender};
use super::stats::Outcome;
use super::{SEND_TIMEOUT, WebhookRuntime, WebhookSettings};
use crate::common::clock::now;
use crate::error::ApiResult;
use crate::unit_of_work::Writer;
use crate::webhooks::topics::WebhookTopic;
use chrono::{DateTime, Utc};
use entities::enums::WebhookDeliveryStatus;
use entities::webhook::Secret;
use entities::{webhook, webhook_delivery};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use uuid::Uuid;

/// How long a claim holds a delivery: the send's timeout and a margin for settling.
const LEASE: Duration = Duration::from_secs(SEND_TIMEOUT.as_secs() + 20);
/// How soon to look again when due deliveries were all claimed by another replica.
const CONTENDED_PAUSE: Duration = Duration::from_millis(50);
/// Longest pause after the database failed, so recovery is quick.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often settled deliveries older than the retention are deleted.
const PURGE_EVERY: Duration = Duration::from_secs(10 * 60);

/// A delivery this worker claimed, with what sending it needs.
struct Claimed {
    delivery: webhook_delivery::Model,
    url: String,
    secret: Secret,
}

pub struct DeliveryWorker {
    writer: Writer,
    runtime: Arc<WebhookRuntime>,
    settings: WebhookSettings,
    sender: Sender,
}

impl DeliveryWorker {
    pub fn new(
        writer: Writer,
        runtime: Arc<WebhookRuntime>,
        settings: WebhookSettings,
    ) -> ApiResult<Self> {
        let sender = Sender::new(&settings)?;
        Ok(Self {
            writer,
            runtime,
            settings,
            sender,
        })
    }

    /// Works until `shutdown` resolves, then waits for the sends under way (at most the
    /// send timeout) so their outcomes are recorded.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let this = Arc::new(self);
        let mut in_flight = JoinSet::new();
        let mut failures = 0u32;
        let mut last_purge = tokio::time::Instant::now();
        loop {
            let pause = match this.pass(&mut in_flight).await {
                Ok(pause) => {
                    failures = 0;
                    pause
                }
                Err(err) => {
                    failures = failures.saturating_add(1);
                    let backoff = Duration::from_millis(100)
                        .saturating_mul(2u32.saturating_pow(Ord::min(failures, 6)))
                        .min(MAX_BACKOFF);
                    tracing::warn!(error = %err, retry_in_ms = backoff.as_millis() as u64, "webhook worker failed; retrying");
                    backoff
                }
            };
            if last_purge.elapsed() >= PURGE_EVERY {
                last_purge = tokio::time::Instant::now();
                this.purge().await;
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = this.runtime.woken() => {}
                // A send finished: its slot is free again.
                Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
        while in_flight.join_next().await.is_some() {}
    }

    /// Claims and starts what is due while slots are free; returns how long to wait.
    async fn pass(self: &Arc<Self>, in_flight: &mut JoinSet<()>) -> ApiResult<Duration> {
        loop {
            let free = self.settings.max_in_flight.saturating_sub(in_flight.len());
            if free == 0 {
                return Ok(self.settings.poll_interval);
            }
            // A read first: an idle worker never opens a write transaction.
            let Some(due) = deliveries::next_due(self.writer.db()).await? else {
                return Ok(self.settings.poll_interval);
            };
            let wait = (due - now()).to_std().unwrap_or(Duration::ZERO);
            if !wait.is_zero() {
                return Ok(wait.min(self.settings.poll_interval));
            }
            let claimed = self.claim(free).await?;
            if claimed.is_empty() {
                return Ok(CONTENDED_PAUSE);
            }
            for claimed in claimed {
                let this = self.clone();
                in_flight.spawn(async move { this.deliver(claimed).await });
            }
        }
    }

    /// Claims up to `limit` due deliveries (see the module comment).
    async fn claim(&self, limit: usize) -> ApiResult<Vec<Claimed>> {
        let write = self.writer.begin().await?;
        let txn = write.txn();
        let at = now();
        let active = Query::select()
            .column(webhook::Column::Id)
            .from(webhook::Entity)
            .and_where(webhook::Column::Active.eq(true))
            .to_owned();
        let mut due = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.is_in(deliveries::OPEN))
            .filter(webhook_delivery::Column::NextAttemptAt.lte(at))
            .filter(webhook_delivery::Column::WebhookId.in_subquery(active))
            .order_by_asc(webhook_delivery::Column::NextAttemptAt)
            .order_by_asc(webhook_delivery::Column::Id)
            .limit(limit as u64);
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let rows = due.all(txn).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let lease_end = at + chrono::Duration::from_std(LEASE).unwrap_or_default();
        webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::Attempts,
                Expr::col(webhook_delivery::Column::Attempts).add(1),
            )
            .col_expr(
                webhook_delivery::Column::NextAttemptAt,
                Expr::value(Some(lease_end)),
            )
            .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(at))
            .filter(webhook_delivery::Column::Id.is_in(rows.iter().map(|d| d.id)))
            .exec(txn)
            .await?;
        let targets: HashMap<Uuid, (String, Secret)> = webhook::Entity::find()
            .filter(webhook::Column::Id.is_in(rows.iter().map(|d| d.webhook_id)))
            .all(txn)
            .await?
            .into_iter()
            .map(|w| (w.id, (w.url, w.secret)))
            .collect();
        write.commit().await?;
        Ok(rows
            .into_iter()
            .filter_map(|mut delivery| {
                let (url, secret) = targets.get(&delivery.webhook_id)?.clone();
                delivery.attempts = delivery.attempts.saturating_add(1);
                Some(Claimed {
                    delivery,
                    url,
                    secret,
                })
            })
            .collect())
    }

    /// Sends one claimed delivery and records the outcome.
    async fn deliver(&self, claimed: Claimed) {
        let attempt = self
            .sender
            .send(&claimed.url, &claimed.secret, &claimed.delivery)
            .await;
        let delivery = &claimed.delivery;
        match self.settle(delivery, &attempt).await {
            Ok(Some(outcome)) => {
                let topic = delivery
                    .topic
                    .parse::<WebhookTopic>()
                    .map_or("UNKNOWN", WebhookTopic::as_str);
                self.runtime.stats.record(topic, outcome);
                if outcome != Outcome::Succeeded {
                    tracing::info!(
                        delivery = %delivery.id,
                        webhook = %delivery.webhook_id,
                        attempt = delivery.attempts,
                        error = attempt.error.as_deref().unwrap_or_default(),
                        "webhook delivery failed"
                    );
                }
            }
            // Another worker took it over after the lease ran out: its outcome stands.
            Ok(None) => {}
            // It stays claimed until the lease ends, then is sent again (at least once).
            Err(err) => {
                tracing::warn!(delivery = %delivery.id, error = %err, "recording a webhook delivery failed")
            }
        }
    }

    /// Records how attempt `delivery.attempts` went; `None` when that attempt is no longer the
    /// delivery's latest.
    async fn settle(
        &self,
        delivery: &webhook_delivery::Model,
        attempt: &Attempt,
    ) -> ApiResult<Option<Outcome>> {
        let write = self.writer.begin().await?;
        let txn = write.txn();
        let at = now();
        let (outcome, status, next): (Outcome, _, Option<DateTime<Utc>>) = if attempt.succeeded() {
            (Outcome::Succeeded, WebhookDeliveryStatus::Succeeded, None)
        } else {
            match retry_delay(self.settings.retry_base, delivery.attempts) {
                Some(delay) => (
                    Outcome::Failed,
                    WebhookDeliveryStatus::Failed,
                    Some(at + chrono::Duration::from_std(delay).unwrap_or_default()),
                ),
                None => (Outcome::GaveUp, WebhookDeliveryStatus::GaveUp, None),
            }
        };
        let mut update = webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, Expr::value(status))
            .col_expr(
                webhook_delivery::Column::LastResponseStatus,
                Expr::value(attempt.response_status.map(i32::from)),
            )
            .col_expr(
                webhook_delivery::Column::LastError,
                Expr::value(attempt.error.clone()),
            )
            .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next))
            .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(at));
        if attempt.succeeded() {
            update = update.col_expr(webhook_delivery::Column::SentAt, Expr::value(Some(at)));
        }
        let settled = update
            .filter(webhook_delivery::Column::Id.eq(delivery.id))
            .filter(webhook_delivery::Column::Attempts.eq(delivery.attempts))
            .filter(webhook_delivery::Column::Status.is_in(deliveries::OPEN))
            .exec(txn)
            .await?;
        if settled.rows_affected == 0 {
            return Ok(None);
        }
        if attempt.succeeded() {
            webhook::Entity::update_many()
                .col_expr(webhook::Column::ConsecutiveFailures, Expr::value(0))
                .filter(webhook::Column::Id.eq(delivery.webhook_id))
                .filter(webhook::Column::ConsecutiveFailures.ne(0))
                .exec(txn)
                .await?;
        } else {
            count_failure(txn, delivery.webhook_id, &self.settings, at).await?;
        }
        write.commit().await?;
        Ok(Some(outcome))
    }

    async fn purge(&self) {
        let retention = chrono::Duration::from_std(self.settings.retention)
            .unwrap_or(chrono::Duration::days(30));
        match deliveries::purge_settled(&self.writer, now() - retention).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(deleted = n, "purged settled webhook deliveries"),
            Err(err) => tracing::warn!(error = %err, "purging webhook deliveries failed"),
        }
    }
}

/// One more failure in a row for the webhook; at the threshold it is switched off.
async fn count_failure(
    db: &impl ConnectionTrait,
    webhook_id: Uuid,
    settings: &WebhookSettings,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    webhook::Entity::update_many()
        .col_expr(
            webhook::Column::ConsecutiveFailures,
            Expr::col(webhook::Column::ConsecutiveFailures).add(1),
        )
        .filter(webhook::Column::Id.eq(webhook_id))
        .exec(db)
        .await?;
    let threshold = Ord::max(settings.disable_after_failures, 1);
    let switched_off = webhook::Entity::update_many()
        .col_expr(webhook::Column::Active, Expr::value(false))
        .col_expr(
            webhook::Column::DisabledReason,
            Expr::value(Some(format!(
                "switched off after {threshold} failed attempts in a row; fix the receiver, then set active: true"
            ))),
        )
        .col_expr(webhook::Column::UpdatedAt, Expr::value(at))
        .filter(webhook::Column::Id.eq(webhook_id))
        .filter(webhook::Column::Active.eq(true))
        .filter(webhook::Column::ConsecutiveFailures.gte(threshold))
        .exec(db)
        .await?;
    if switched_off.rows_affected > 0 {
        tracing::warn!(webhook = %webhook_id, failures = threshold, "webhook switched off after failing repeatedly");
    }
    Ok(())
}
