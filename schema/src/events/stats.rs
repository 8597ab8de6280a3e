//! Counters of what the event machinery did, for `/metrics` (read on each scrape).
//!
//! Plain atomics keep the domain crate free of a metrics library; the server's metrics
//! module exposes them in Prometheus form.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct EventStats {
    /// Events the relay published and marked published.
    relayed: AtomicU64,
    /// Relay passes that failed (database or Redis down); their events stay pending.
    relay_failures: AtomicU64,
    /// Outbox rows this version could not decode and skipped.
    undecodable: AtomicU64,
    /// Events that arrived from Redis (every replica's, this one's included).
    received_from_redis: AtomicU64,
    /// Times the Redis subscription was re-established after a loss.
    redis_resubscriptions: AtomicU64,
    /// Subscribers that fell behind the broadcast buffer and were resynced.
    lagged_subscribers: AtomicU64,
}

/// A point-in-time copy of the counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EventCounts {
    pub relayed: u64,
    pub relay_failures: u64,
    pub undecodable: u64,
    pub received_from_redis: u64,
    pub redis_resubscriptions: u64,
    pub lagged_subscribers: u64,
}

impl EventStats {
    pub fn snapshot(&self) -> EventCounts {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        EventCounts {
            relayed: read(&self.relayed),
            relay_failures: read(&self.relay_failures),
            undecodable: read(&self.undecodable),
            received_from_redis: read(&self.received_from_redis),
            redis_resubscriptions: read(&self.redis_resubscriptions),
            lagged_subscribers: read(&self.lagged_subscribers),
        }
    }

    pub(crate) fn relayed(&self, events: usize) {
        self.relayed.fetch_add(events as u64, Ordering::Relaxed);
    }

    pub(crate) fn relay_failed(&self) {
        self.relay_failures.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn undecodable(&self) {
        self.undecodable.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn received_from_redis(&self) {
        self.received_from_redis.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn redis_resubscribed(&self) {
        self.redis_resubscriptions.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn subscriber_lagged(&self) {
        self.lagged_subscribers.fetch_add(1, Ordering::Relaxed);
    }
}
