//! Search: product documents in a search engine, kept in sync through the outbox.
//!
//! - `backend` is the contract ([`SearchBackend`]) and the engine-neutral types;
//!   `embedded` (tantivy, the default) and `meili` (Meilisearch, when configured) implement
//!   it and pass the same contract tests.
//! - `documents` builds documents from the catalog in batches; `queue` is the table of
//!   products waiting for the index, filled by the outbox relay; `sync` drains it.
//! - `rebuild` re-indexes everything aside and switches (zero downtime).
//! - `types` and `query` are the GraphQL side: `search` and `searchSuggestions`, with hits
//!   hydrated through the product DataLoader.

pub mod backend;
pub mod documents;
pub mod embedded;
pub mod highlight;
pub mod meili;
pub mod query;
pub mod queue;
pub mod rebuild;
pub mod request;
pub mod sync;
pub mod types;

pub use backend::{SearchBackend, SearchError};

use backend::{SearchHit, SearchRequest, SortKey};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::sync::Notify;

/// The search engine in use, shared by resolvers, the sync and the relay.
pub struct SearchService {
    pub backend: Arc<dyn SearchBackend>,
    /// Whether the engine's settings were applied (at start, or later if it was down).
    prepared: AtomicBool,
    /// Signalled by the relay when it queued products, so the sync starts at once.
    pub queued: Notify,
    pub stats: SearchStats,
}

impl SearchService {
    pub fn new(backend: Arc<dyn SearchBackend>) -> Arc<Self> {
        Arc::new(Self {
            backend,
            prepared: AtomicBool::new(false),
            queued: Notify::new(),
            stats: SearchStats::default(),
        })
    }

    /// Applies the engine's settings unless that was done already.
    pub async fn ensure_prepared(&self) -> Result<(), SearchError> {
        if self.prepared.load(Ordering::Acquire) {
            return Ok(());
        }
        self.backend.prepare().await?;
        self.prepared.store(true, Ordering::Release);
        Ok(())
    }
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct SearchStats {
    synced: AtomicU64,
    sync_failures: AtomicU64,
}

impl SearchStats {
    pub fn synced(&self, products: usize) {
        self.synced.fetch_add(products as u64, Ordering::Relaxed);
    }

    pub fn sync_failed(&self) {
        self.sync_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Products indexed and failed sync batches since start.
    pub fn snapshot(&self) -> (u64, u64) {
        (
            self.synced.load(Ordering::Relaxed),
            self.sync_failures.load(Ordering::Relaxed),
        )
    }
}

/// The request behind suggestions: the best matches for what was typed so far.
pub fn suggestion_request(prefix: &str, limit: usize) -> SearchRequest {
    SearchRequest {
        text: prefix.to_owned(),
        filter: Default::default(),
        sort: SortKey::Relevance,
        reverse: false,
        currency: crate::common::money::CurrencyCode::Usd,
        facets: Vec::new(),
        limit,
        offset: 0,
    }
}

/// Product names of `hits`, each once, at most `limit`.
pub fn distinct_names(hits: Vec<SearchHit>, limit: usize) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(limit);
    for hit in hits {
        if names.len() == limit {
            break;
        }
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&hit.name)) {
            names.push(hit.name);
        }
    }
    names
}
