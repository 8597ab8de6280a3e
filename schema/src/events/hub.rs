//! The event hub: one per process. Publishing goes to every replica (through Redis when
//! configured); subscribing reads this process's broadcast channel.

use super::{DomainEvent, EventStats};
use crate::common::shared_redis::{RedisCallError, SharedRedis};
use std::sync::Arc;
use tokio::sync::{Notify, broadcast};

/// What a subscriber receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BusMessage {
    Event(DomainEvent),
    /// Events may have been missed (the Redis link dropped and came back): re-read the
    /// current state of whatever is being watched.
    Resync,
}

#[derive(Debug, thiserror::Error)]
#[error("publishing an event to Redis failed: {0}")]
pub struct PublishError(#[from] RedisCallError);

pub struct EventHub {
    local: broadcast::Sender<BusMessage>,
    redis: Option<SharedRedis>,
    relay_wake: Notify,
    /// Wakes this process's mail sender: for mail queued by a unit of work itself (a password
    /// reset, a staff invitation) rather than by the relay's consumer.
    mail_wake: Arc<Notify>,
    stats: Arc<EventStats>,
}

/// Events a subscriber may fall behind before it is told to resync. Each slot holds one
/// event; at ~200 bytes an event, the default costs under a megabyte per process.
pub const DEFAULT_CAPACITY: usize = 4096;

impl EventHub {
    /// With `redis`, publishes through Redis, so every replica's subscribers see every event
    /// (the caller must also run the bridge, `redis_bridge::run`, that brings them back in);
    /// without, delivers to this process only.
    pub fn new(capacity: usize, redis: Option<SharedRedis>) -> Self {
        Self {
            local: broadcast::channel(capacity.max(1)).0,
            redis,
            relay_wake: Notify::new(),
            mail_wake: Arc::default(),
            stats: Arc::default(),
        }
    }

    /// What the relay, the Redis bridge and subscribers did so far (for `/metrics`).
    pub fn stats(&self) -> &Arc<EventStats> {
        &self.stats
    }

    /// The Redis channel events travel on, when Redis is configured.
    pub fn redis_channel(&self) -> Option<(SharedRedis, String)> {
        self.redis
            .as_ref()
            .map(|redis| (redis.clone(), redis.key("events")))
    }

    /// A receiver of every message from now on. A receiver more than the channel's capacity
    /// behind skips ahead (`RecvError::Lagged`) instead of slowing anyone else down.
    pub fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.local.subscribe()
    }

    /// Receivers open now: live subscriptions plus this process's own listeners.
    pub fn subscriber_count(&self) -> usize {
        self.local.receiver_count()
    }

    /// Sends `event` to every replica's subscribers (only this process's without Redis).
    pub async fn publish(&self, event: &DomainEvent) -> Result<(), PublishError> {
        match self.redis_channel() {
            Some((redis, channel)) => {
                let payload = serde_json::to_string(event).unwrap_or_default();
                // Through the circuit breaker: while Redis is down the relay's pass fails
                // at once and its events stay pending until Redis is back.
                redis
                    .run(|mut connection| async move {
                        redis::cmd("PUBLISH")
                            .arg(channel)
                            .arg(payload)
                            .query_async::<i64>(&mut connection)
                            .await
                    })
                    .await?;
                Ok(())
            }
            None => {
                self.deliver_locally(BusMessage::Event(event.clone()));
                Ok(())
            }
        }
    }

    /// Hands a message to this process's subscribers; having none is fine.
    pub fn deliver_locally(&self, message: BusMessage) {
        let _ = self.local.send(message);
    }

    /// Called by a unit of work's commit that recorded events (`unit_of_work::Write::commit`):
    /// the relay publishes them now instead of at its next poll.
    pub fn wake_relay(&self) {
        self.relay_wake.notify_one();
    }

    /// What wakes this process's mail sender (given to it, and to the relay's mail consumer).
    pub fn mail_wake(&self) -> Arc<Notify> {
        self.mail_wake.clone()
    }

    /// Resolves when a commit called `wake_relay` (a call made while nobody waited counts).
    pub async fn relay_woken(&self) {
        self.relay_wake.notified().await;
    }
}
