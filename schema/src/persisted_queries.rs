//! Where automatic persisted queries (Apollo's APQ protocol) are kept.
//!
//! Every replica keeps recently used documents in a small in-process LRU, so a hit costs no
//! network round trip. With Redis configured the documents are also written there, so a
//! query registered on one replica is known to all of them: a client behind a load balancer
//! then never sees `PersistedQueryNotFound` for a hash it already registered elsewhere.
//!
//! Redis is a cache here, never a source of truth: when it fails (or its circuit is open, see
//! `SharedRedis::run`), a lookup counts as a miss and the client falls back to sending the
//! full query, which the protocol already handles; registrations are kept in process only.

use crate::common::shared_redis::SharedRedis;
use async_graphql::async_trait::async_trait;
use async_graphql::extensions::apollo_persisted_queries::{CacheStorage, LruCacheStorage};
use async_graphql::parser::types::ExecutableDocument;
use redis::AsyncCommands;
use std::time::Duration;

/// How long a document stays in Redis after it was last registered.
const REDIS_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Key segment of the documents. The version changes if the stored encoding (the parser's
/// serialised document) ever does, so old entries are simply not found.
const KEY_SEGMENT: &str = "apq:v1:";

#[derive(Clone)]
pub struct PersistedQueryStore {
    local: LruCacheStorage,
    redis: Option<SharedRedis>,
}

impl PersistedQueryStore {
    /// `local_capacity` documents in process; Redis behind them when given.
    pub fn new(local_capacity: usize, redis: Option<SharedRedis>) -> Self {
        Self {
            local: LruCacheStorage::new(local_capacity.max(1)),
            redis,
        }
    }

    async fn redis_get(redis: &SharedRedis, hash: &str) -> Option<ExecutableDocument> {
        let key = redis.key(&format!("{KEY_SEGMENT}{hash}"));
        let stored = redis
            .run(|mut connection| async move { connection.get::<_, Option<String>>(key).await })
            .await;
        let stored = match stored {
            Ok(stored) => stored,
            Err(err) => {
                err.log("persisted query lookup");
                return None;
            }
        };
        match serde_json::from_str(&stored?) {
            Ok(document) => Some(document),
            Err(err) => {
                tracing::warn!(error = %err, "unreadable persisted query in Redis; ignoring it");
                None
            }
        }
    }

    async fn redis_set(redis: &SharedRedis, hash: &str, document: &ExecutableDocument) {
        let encoded = match serde_json::to_string(document) {
            Ok(encoded) => encoded,
            Err(err) => {
                tracing::warn!(error = %err, "cannot encode a persisted query for Redis");
                return;
            }
        };
        let key = redis.key(&format!("{KEY_SEGMENT}{hash}"));
        let written = redis
            .run(|mut connection| async move {
                connection
                    .set_ex::<_, _, ()>(key, encoded, REDIS_TTL.as_secs())
                    .await
            })
            .await;
        if let Err(err) = written {
            err.log("storing a persisted query");
        }
    }
}

#[async_trait]
impl CacheStorage for PersistedQueryStore {
    async fn get(&self, key: String) -> Option<ExecutableDocument> {
        if let Some(document) = self.local.get(key.clone()).await {
            return Some(document);
        }
        let redis = self.redis.as_ref()?;
        let document = Self::redis_get(redis, &key).await?;
        self.local.set(key, document.clone()).await;
        Some(document)
    }

    async fn set(&self, key: String, document: ExecutableDocument) {
        if let Some(redis) = &self.redis {
            Self::redis_set(redis, &key, &document).await;
        }
        self.local.set(key, document).await;
    }
}
