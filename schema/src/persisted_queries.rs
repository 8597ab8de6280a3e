//! Where automatic persisted queries (Apollo's APQ protocol) are kept.
//!
//! Every replica keeps recently used documents in a small in-process LRU, so a hit costs no
//! network round trip. With Redis configured the documents are also written there, so a
//! query registered on one replica is known to all of them: a client behind a load balancer
//! then never sees `PersistedQueryNotFound` for a hash it already registered elsewhere.
//!
//! What is kept is the query *text*, never a parsed document: its size is known exactly (the
//! in-process store is bounded in bytes, not entries), it is what the hash was computed from,
//! and a parsed document serialised for Redis is many times larger than its text. A document
//! is stored only after it passed every limit and validation (`crate::guarded` decides), and
//! only up to [`MAX_STORED_QUERY_BYTES`]; a larger one still runs, it is just not remembered.
//!
//! Redis is a cache here, never a source of truth: when it fails, a lookup counts as a miss
//! and the client falls back to sending the full query, which the protocol already handles.

use crate::common::shared_redis::SharedRedis;
use lru::LruCache;
use redis::AsyncCommands;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a document stays in Redis after it was last registered.
const REDIS_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Key segment of the documents. v2: the query text (v1 held a serialised parsed document).
const KEY_SEGMENT: &str = "apq:v2:";

/// Largest query text that is stored. Generated client documents are a few KiB; the limit
/// keeps one registration from taking a visible share of memory in process or in Redis.
pub const MAX_STORED_QUERY_BYTES: usize = 64 * 1024;

/// A stored query text, shared without copying.
pub type QueryText = Arc<str>;

#[derive(Clone)]
pub struct PersistedQueryStore {
    local: Arc<Mutex<LocalStore>>,
    redis: Option<SharedRedis>,
}

/// The in-process LRU, bounded by the bytes of the texts it holds.
struct LocalStore {
    entries: LruCache<String, QueryText>,
    bytes: usize,
    capacity_bytes: usize,
}

impl LocalStore {
    fn get(&mut self, hash: &str) -> Option<QueryText> {
        self.entries.get(hash).cloned()
    }

    fn put(&mut self, hash: String, text: QueryText) {
        let weight = hash.len() + text.len();
        if let Some(previous) = self.entries.put(hash.clone(), text) {
            self.bytes -= hash.len() + previous.len();
        }
        self.bytes += weight;
        while self.bytes > self.capacity_bytes {
            match self.entries.pop_lru() {
                Some((hash, text)) => self.bytes -= hash.len() + text.len(),
                None => break,
            }
        }
    }
}

impl PersistedQueryStore {
    /// Up to `local_capacity_bytes` of query text in process; Redis behind them when given.
    pub fn new(local_capacity_bytes: usize, redis: Option<SharedRedis>) -> Self {
        let local = LocalStore {
            entries: LruCache::unbounded(),
            bytes: 0,
            capacity_bytes: local_capacity_bytes.max(MAX_STORED_QUERY_BYTES),
        };
        Self {
            local: Arc::new(Mutex::new(local)),
            redis,
        }
    }

    /// The text registered under `hash` (lower-case hex SHA-256), if any replica stored it.
    pub async fn get(&self, hash: &str) -> Option<QueryText> {
        if let Some(text) = self.local.lock().ok()?.get(hash) {
            return Some(text);
        }
        let redis = self.redis.as_ref()?;
        let text: QueryText = Self::redis_get(redis, hash).await?.into();
        if text.len() > MAX_STORED_QUERY_BYTES {
            return None;
        }
        if let Ok(mut local) = self.local.lock() {
            local.put(hash.to_owned(), text.clone());
        }
        Some(text)
    }

    /// Remembers `text` under `hash`. The caller has checked the hash and the document; texts
    /// over [`MAX_STORED_QUERY_BYTES`] are not stored.
    pub async fn set(&self, hash: String, text: QueryText) {
        if text.len() > MAX_STORED_QUERY_BYTES {
            return;
        }
        if let Some(redis) = &self.redis {
            Self::redis_set(redis, &hash, &text).await;
        }
        if let Ok(mut local) = self.local.lock() {
            local.put(hash, text);
        }
    }

    /// Bytes of query text held in process (hashes included).
    pub fn local_bytes(&self) -> usize {
        self.local.lock().map_or(0, |local| local.bytes)
    }

    async fn redis_get(redis: &SharedRedis, hash: &str) -> Option<String> {
        let key = redis.key(&format!("{KEY_SEGMENT}{hash}"));
        let stored = redis
            .run(|mut connection| async move { connection.get::<_, Option<String>>(key).await })
            .await;
        match stored {
            Ok(stored) => stored,
            Err(err) => {
                err.log("persisted query lookup");
                None
            }
        }
    }

    async fn redis_set(redis: &SharedRedis, hash: &str, text: &str) {
        let key = redis.key(&format!("{KEY_SEGMENT}{hash}"));
        let text = text.to_owned();
        let written = redis
            .run(|mut connection| async move {
                connection
                    .set_ex::<_, _, ()>(key, text, REDIS_TTL.as_secs())
                    .await
            })
            .await;
        if let Err(err) = written {
            err.log("storing a persisted query");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_local_store_is_bounded_in_bytes() {
        let store = PersistedQueryStore::new(MAX_STORED_QUERY_BYTES, None);
        let text: QueryText = "x".repeat(MAX_STORED_QUERY_BYTES / 4).into();
        for i in 0..10 {
            store.set(format!("{i:064}"), text.clone()).await;
        }
        assert!(store.local_bytes() <= MAX_STORED_QUERY_BYTES);
        assert!(store.get(&format!("{:064}", 9)).await.is_some());
        assert!(
            store.get(&format!("{:064}", 0)).await.is_none(),
            "oldest evicted"
        );

        let huge: QueryText = "x".repeat(MAX_STORED_QUERY_BYTES + 1).into();
        store.set("h".repeat(64), huge).await;
        assert!(
            store.get(&"h".repeat(64)).await.is_none(),
            "too large to store"
        );
    }
}
