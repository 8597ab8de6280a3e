//! The read-through cache of public catalog answers.
//!
//! Anonymous queries whose every field is publicly cacheable (the catalog and search fields;
//! `cache_control` in the schema says which) are answered from here when the same document,
//! operation and variables were answered before and nothing they depended on changed since.
//! A hit costs no SQL statement and no resolver: the stored JSON bytes are sent as they are.
//!
//! Two layers: a bounded store in each process ([`store`]) and, when Redis is configured, a
//! layer shared by the replicas ([`shared`]). Both are invalidated from the event stream
//! ([`ResponseCache::follow`]) every replica receives: `catalog.changed` drops everything,
//! `stock.changed` drops the answers that showed the product or variant (see
//! [`dependencies`]), a missed-events resync drops everything. Entries also expire after a TTL
//! (the HTTP max-age by default); answers read from the search index, which follows the
//! database by up to a second or so, expire sooner.

pub mod dependencies;
pub mod shared;
pub mod store;

pub use dependencies::{Dependencies, ReadDependencies};
pub use store::{CacheKey, CachedAnswer, Invalidation, Ticket};

use crate::common::shared_redis::SharedRedis;
use crate::events::{BusMessage, DomainEvent, EventHub};
use sha2::{Digest, Sha256};
use shared::SharedStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use store::LocalStore;
use tokio::sync::broadcast::error::RecvError;

/// Longest life of an answer read from the search index (see the module comment).
pub const SEARCH_ANSWER_TTL: Duration = Duration::from_secs(2);

#[derive(Clone, Debug)]
pub struct CacheSettings {
    /// Answers kept in process; 0 turns the cache off.
    pub capacity: usize,
    pub ttl: Duration,
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct CacheStats {
    pub hits: AtomicU64,
    pub shared_hits: AtomicU64,
    pub misses: AtomicU64,
    pub stores: AtomicU64,
    pub invalidated: AtomicU64,
}

pub struct ResponseCache {
    settings: CacheSettings,
    local: LocalStore,
    shared: Option<SharedStore>,
    pub stats: CacheStats,
}

/// Taken before a request runs: what its answer may be stored under.
pub struct Lookup {
    ticket: Ticket,
    epoch: Option<u64>,
}

/// A lookup's outcome.
pub enum Found {
    Hit(CachedAnswer),
    Miss(Lookup),
}

impl ResponseCache {
    pub fn new(settings: CacheSettings, redis: Option<SharedRedis>) -> Self {
        Self {
            local: LocalStore::new(settings.capacity),
            shared: redis
                .filter(|_| settings.capacity > 0)
                .map(SharedStore::new),
            settings,
            stats: CacheStats::default(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.settings.capacity > 0 && !self.settings.ttl.is_zero()
    }

    /// The identity of a request: the endpoint (`/graphql` and the Shopify-shaped endpoint
    /// answer the same text differently), its document (or persisted-query hash), operation
    /// name and variables.
    pub fn key(endpoint: &str, request: &async_graphql::Request) -> CacheKey {
        let mut hash = Sha256::new();
        hash.update(endpoint.as_bytes());
        hash.update([0]);
        hash.update(request.query.as_bytes());
        hash.update([0]);
        hash.update(request.operation_name.as_deref().unwrap_or("").as_bytes());
        hash.update([0]);
        if let Ok(variables) = serde_json::to_vec(&request.variables) {
            hash.update(variables);
        }
        hash.update([0]);
        if let Some(persisted) = request.extensions.get("persistedQuery")
            && let Ok(persisted) = serde_json::to_vec(persisted)
        {
            hash.update(persisted);
        }
        let digest = hash.finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        key
    }

    pub async fn get(&self, key: &CacheKey) -> Found {
        let ticket = self.local.ticket();
        if let Some(answer) = self.local.get(key) {
            self.stats.hits.fetch_add(1, Ordering::Relaxed);
            return Found::Hit(answer);
        }
        let mut epoch = None;
        if let Some(shared) = &self.shared {
            let lookup = shared.get(key).await;
            epoch = lookup.epoch;
            if let Some((answer, deps)) = lookup.hit {
                self.stats.shared_hits.fetch_add(1, Ordering::Relaxed);
                let ttl = self.ttl_for(&deps);
                self.local.store(*key, ticket, answer.clone(), deps, ttl);
                return Found::Hit(answer);
            }
        }
        self.stats.misses.fetch_add(1, Ordering::Relaxed);
        Found::Miss(Lookup { ticket, epoch })
    }

    /// For a request that wants a fresh answer: no lookup, but what storing its answer needs.
    pub async fn skip_lookup(&self, key: &CacheKey) -> Lookup {
        let ticket = self.local.ticket();
        let epoch = match &self.shared {
            Some(shared) => shared.get(key).await.epoch,
            None => None,
        };
        Lookup { ticket, epoch }
    }

    /// Keeps a freshly computed answer, unless what it read changed while it ran.
    pub async fn store(
        &self,
        key: CacheKey,
        lookup: Lookup,
        answer: CachedAnswer,
        deps: Dependencies,
    ) {
        let ttl = self.ttl_for(&deps);
        if !self
            .local
            .store(key, lookup.ticket, answer.clone(), deps.clone(), ttl)
        {
            return;
        }
        self.stats.stores.fetch_add(1, Ordering::Relaxed);
        if let (Some(shared), Some(epoch)) = (&self.shared, lookup.epoch) {
            shared.store(&key, epoch, &answer, &deps, ttl).await;
        }
    }

    fn ttl_for(&self, deps: &Dependencies) -> Duration {
        if deps.search_index {
            self.settings.ttl.min(SEARCH_ANSWER_TTL)
        } else {
            self.settings.ttl
        }
    }

    /// Drops what `invalidation` affects, here and in Redis.
    pub async fn invalidate(&self, invalidation: Invalidation) {
        let dropped = self.local.invalidate(invalidation.clone());
        self.stats
            .invalidated
            .fetch_add(dropped as u64, Ordering::Relaxed);
        if let Some(shared) = &self.shared
            && let Err(err) = shared.invalidate(&invalidation).await
        {
            // The shared layer may now hold answers that should be gone: it is not read
            // until a full flush succeeds (see `shared`).
            err.log("response cache invalidation");
        }
    }

    /// Follows the event stream until `shutdown`, invalidating as events arrive.
    pub async fn follow(self: Arc<Self>, hub: Arc<EventHub>, shutdown: impl Future<Output = ()>) {
        let mut events = hub.subscribe();
        tokio::pin!(shutdown);
        loop {
            let message = tokio::select! {
                () = &mut shutdown => return,
                message = events.recv() => message,
            };
            let invalidation = match message {
                // Content edits are rare, and a menu shows on every page: drop everything.
                Ok(BusMessage::Event(
                    DomainEvent::CatalogChanged(_) | DomainEvent::ContentChanged(_),
                )) => Invalidation::All,
                Ok(BusMessage::Event(DomainEvent::StockChanged(update))) => {
                    Invalidation::Stock(vec![update.product_uuid, update.variant_uuid])
                }
                Ok(BusMessage::Event(
                    DomainEvent::OrderUpdated(_)
                    | DomainEvent::SessionRevoked(_)
                    | DomainEvent::BackInStock(_)
                    | DomainEvent::CartAbandoned(_)
                    | DomainEvent::CustomerCreated(_)
                    // No cached answer shows shipping: carts and staff queries are not cached.
                    | DomainEvent::ShippingChanged(_),
                )) => continue,
                // Events may have been missed: nothing cached can be trusted.
                Ok(BusMessage::Resync) | Err(RecvError::Lagged(_)) => Invalidation::All,
                Err(RecvError::Closed) => return,
            };
            self.invalidate(invalidation).await;
        }
    }
}
