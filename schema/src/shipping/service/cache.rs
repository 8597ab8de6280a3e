//! The shipping configuration as this process last read it, for pricing cart views.
//!
//! Every cart view needs the whole configuration (`rates::Rates`), and it changes only when
//! staff edit a zone or a method: reading it for each cart change was one statement in five
//! of `cartLinesAdd`. It is kept here until one of these drops it:
//!
//! - a change committed by this process ([`ShippingRatesCache::invalidate`], called by the
//!   shipping services right after their commit, so the next request already prices with
//!   it);
//! - a change committed by another replica: its `shipping.changed` event, through the event
//!   hub ([`ShippingRatesCache::follow`]), or a gap in the events (lag, Redis reconnect);
//! - age ([`MAX_AGE`]): a bound on what a replica that cannot hear the others (Redis down)
//!   may show.
//!
//! A read that raced an invalidation is used by its own request but not kept (the generation
//! moved on while it ran). Checkout does not use it: an order is priced with the
//! configuration its own transaction reads.

use super::rates::{self, Rates};
use crate::error::ApiResult;
use crate::events::{BusMessage, DomainEvent};
use sea_orm::ConnectionTrait;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast::{self, error::RecvError};

/// Longest a configuration is used without being read again.
pub const MAX_AGE: Duration = Duration::from_secs(30);

struct Held {
    generation: u64,
    read_at: Instant,
    rates: Arc<Rates>,
}

/// One per process (in `CartRules`, which every cart service is given).
#[derive(Default)]
pub struct ShippingRatesCache {
    /// Bumped by every invalidation.
    generation: AtomicU64,
    held: Mutex<Option<Held>>,
}

impl std::fmt::Debug for ShippingRatesCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShippingRatesCache")
            .field("generation", &self.generation.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl ShippingRatesCache {
    /// The configuration: the one held when it is current, otherwise read with `db` (one
    /// statement) and kept.
    pub async fn get(&self, db: &impl ConnectionTrait) -> ApiResult<Arc<Rates>> {
        let generation = self.generation.load(Ordering::Acquire);
        if let Some(rates) = self.current(generation) {
            return Ok(rates);
        }
        let rates = Arc::new(rates::load(db).await?);
        self.keep(generation, &rates);
        Ok(rates)
    }

    /// Keeps `rates`, read while the generation was `generation`, unless something was
    /// invalidated since: that read may predate the change.
    fn keep(&self, generation: u64, rates: &Arc<Rates>) {
        if let Ok(mut held) = self.held.lock()
            && self.generation.load(Ordering::Acquire) == generation
        {
            *held = Some(Held {
                generation,
                read_at: Instant::now(),
                rates: rates.clone(),
            });
        }
    }

    fn current(&self, generation: u64) -> Option<Arc<Rates>> {
        let held = self.held.lock().ok()?;
        let held = held.as_ref()?;
        (held.generation == generation && held.read_at.elapsed() < MAX_AGE)
            .then(|| held.rates.clone())
    }

    /// Drops what is held: the next cart view reads the configuration again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut held) = self.held.lock() {
            *held = None;
        }
    }

    /// Drops what is held whenever any replica changes shipping (or events may have been
    /// missed), until `stop`.
    pub async fn follow(
        self: Arc<Self>,
        mut events: broadcast::Receiver<BusMessage>,
        stop: impl Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        loop {
            let message = tokio::select! {
                () = &mut stop => return,
                message = events.recv() => message,
            };
            match message {
                Ok(BusMessage::Event(DomainEvent::ShippingChanged(_)))
                | Ok(BusMessage::Resync)
                | Err(RecvError::Lagged(_)) => self.invalidate(),
                Ok(BusMessage::Event(_)) => {}
                Err(RecvError::Closed) => return,
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
