//! The outbox relay: publishes committed events and marks them published.
//!
//! It runs in every replica (unless turned off). Units of work wake it at their commit, so an
//! event normally goes out within milliseconds; a periodic poll picks up anything a crashed
//! process (or a replica without a relay) left behind. Delivery is at least once: a crash
//! between publishing and marking publishes the batch again, and subscribers can recognise
//! the repeats by `eventId`.

use super::outbox;
use super::{DomainEvent, EventHub};
use crate::common::clock::now;
use crate::error::ApiResult;
use crate::search::SearchService;
use crate::search::queue::{self, Touched};
use crate::unit_of_work::{Write, Writer};
use futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct RelaySettings {
    /// Events published per transaction.
    pub batch_size: u64,
    /// How often the outbox is checked when nobody wakes the relay.
    pub poll_interval: Duration,
    /// How long published events are kept before they are deleted.
    pub retention: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            batch_size: 256,
            poll_interval: Duration::from_secs(1),
            retention: Duration::from_secs(24 * 60 * 60),
        }
    }
}

/// Something that must hear of every event once: it queues its own work (webhook deliveries,
/// mails, back-in-stock notices) in the relay's transaction, beside the outbox's "published"
/// mark, so a crash keeps both or neither, and it sends later, outside any transaction.
pub trait OutboxConsumer: Send + Sync {
    /// For logs.
    fn name(&self) -> &'static str;

    /// Queues work for `events` (every event of the batch that could be decoded) on `write`.
    /// Events it records on `write` go to the outbox with the relay's commit. Returns whether
    /// it queued anything, so `wake` is called after the commit.
    fn consume<'a>(
        &'a self,
        write: &'a mut Write,
        events: &'a [DomainEvent],
    ) -> BoxFuture<'a, ApiResult<bool>>;

    /// Called after the relay's commit when `consume` queued something: start sending now
    /// rather than at the next poll.
    fn wake(&self) {}
}

pub struct OutboxRelay {
    /// Its passes and purges are units of work. They record no events of their own; events a
    /// consumer records (a back-in-stock notice) wake the relay again at the commit.
    writer: Writer,
    hub: Arc<EventHub>,
    settings: RelaySettings,
    /// Woken when events queued products for the search index.
    search: Option<Arc<SearchService>>,
    consumers: Vec<Arc<dyn OutboxConsumer>>,
}

/// Longest pause after failures (Redis or the database down), so recovery is quick.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often published events are purged.
const PURGE_EVERY: Duration = Duration::from_secs(10 * 60);

impl OutboxRelay {
    pub fn new(db: DatabaseConnection, hub: Arc<EventHub>, settings: RelaySettings) -> Self {
        Self {
            writer: Writer::new(db, hub.clone()),
            hub,
            settings,
            search: None,
            consumers: Vec::new(),
        }
    }

    /// Hands every event to `consumer` too, in the relay's transaction.
    pub fn with_consumer(mut self, consumer: Arc<dyn OutboxConsumer>) -> Self {
        self.consumers.push(consumer);
        self
    }

    /// Hands products that events touch to the search index (through its queue).
    pub fn with_search(mut self, search: Arc<SearchService>) -> Self {
        self.search = Some(search);
        self
    }

    /// Relays until `shutdown` resolves.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut failures = 0u32;
        let mut last_purge = tokio::time::Instant::now();
        loop {
            let pause = match self.publish_pending().await {
                // A full batch: more may be waiting.
                Ok(n) if n as u64 >= self.settings.batch_size => Duration::ZERO,
                Ok(_) => {
                    failures = 0;
                    self.settings.poll_interval
                }
                Err(err) => {
                    self.hub.stats().relay_failed();
                    failures = failures.saturating_add(1);
                    let backoff = Duration::from_millis(100)
                        .saturating_mul(2u32.saturating_pow(failures.min(6)))
                        .min(MAX_BACKOFF);
                    tracing::warn!(error = %err, retry_in_ms = backoff.as_millis() as u64, "outbox relay failed; retrying");
                    backoff
                }
            };
            if last_purge.elapsed() >= PURGE_EVERY {
                last_purge = tokio::time::Instant::now();
                self.purge().await;
            }
            if pause.is_zero() {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = self.hub.relay_woken() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
        // A last pass, so events committed just before shutdown are not left for the poll.
        if let Err(err) = self.publish_pending().await {
            tracing::warn!(error = %err, "outbox relay: final pass failed; events stay pending");
        }
    }

    /// Publishes one batch of pending events; returns how many were taken.
    pub async fn publish_pending(&self) -> ApiResult<usize> {
        let mut write = self.writer.begin().await?;
        let pending = outbox::claim_pending(write.txn(), self.settings.batch_size).await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let mut done = Vec::with_capacity(pending.len());
        let mut decoded = Vec::with_capacity(pending.len());
        let mut touched = Touched::default();
        for row in &pending {
            match serde_json::from_value::<DomainEvent>(row.payload.clone()) {
                // On failure the transaction rolls back (dropped): the batch stays pending and
                // what was already published goes out again later (at least once).
                Ok(event) => {
                    self.hub
                        .publish(&event)
                        .await
                        .map_err(|e| crate::error::ApiError::Internal(e.to_string()))?;
                    touched.add(&event);
                    decoded.push(event);
                }
                // Written by a newer or older version that this one cannot read: it would
                // block the queue forever, so it is skipped loudly.
                Err(err) => {
                    self.hub.stats().undecodable();
                    tracing::error!(id = %row.id, topic = %row.topic, error = %err, "outbox event cannot be decoded; skipping it")
                }
            }
            done.push(row.id);
        }
        outbox::mark_published(write.txn(), &done).await?;
        // In this transaction: the search queue and every consumer get each event exactly once.
        queue::enqueue_for(write.txn(), &touched).await?;
        let mut to_wake = Vec::new();
        for consumer in &self.consumers {
            if consumer.consume(&mut write, &decoded).await? {
                to_wake.push(consumer);
            }
        }
        write.commit().await?;
        for consumer in to_wake {
            consumer.wake();
        }
        if let (Some(search), false) = (&self.search, touched.is_empty()) {
            search.queued.notify_one();
        }
        self.hub.stats().relayed(pending.len());
        Ok(pending.len())
    }

    async fn purge(&self) {
        let cutoff = now()
            - chrono::Duration::from_std(self.settings.retention)
                .unwrap_or(chrono::Duration::days(1));
        let purged = async {
            let write = self.writer.begin().await?;
            let deleted = outbox::purge_published(write.txn(), cutoff).await?;
            write.commit().await?;
            Ok::<_, crate::error::ApiError>(deleted)
        };
        match purged.await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(deleted = n, "purged published outbox events"),
            Err(err) => tracing::warn!(error = %err, "purging the outbox failed"),
        }
    }
}
