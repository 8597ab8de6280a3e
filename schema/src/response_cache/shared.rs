//! The cache layer shared by replicas through Redis, behind each replica's local store.
//!
//! An answer computed on one replica is written here too, so the others serve it without
//! running the query. Layout under the namespace:
//! - `rc:v1:e:<key>`: a hash with the answer's `body` and `meta` (max-age and dependencies,
//!   so a replica that takes it into its local store can index it);
//! - `rc:v1:t:<tag>`: the set of entry keys depending on a tag — a product or variant id,
//!   `any-stock`, `search`, or `all` (every entry);
//! - `rc:v1:epoch`: incremented by every invalidation.
//!
//! Every replica receives every event and runs the invalidation (idempotent deletions). The
//! race between computing and storing is closed with the epoch: a request notes it when it
//! looks up, and the store script writes only if it is unchanged. That is coarser than the
//! local store's check (any event refuses the write), so under a stream of stock changes the
//! shared layer stores less often, never wrongly. Redis failures count as misses.
//!
//! An invalidation that could not reach Redis (it was down, or the circuit was open) leaves
//! entries there that should be gone. Until one "drop everything" succeeds, the layer is
//! *suspect*: lookups read nothing from it and try that flush first.

use super::dependencies::Dependencies;
use super::store::{CacheKey, CachedAnswer, Invalidation};
use crate::common::shared_redis::{RedisCallError, SharedRedis};
use bytes::Bytes;
use redis::Script;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use uuid::Uuid;

const PREFIX: &str = "rc:v1:";

/// An entry's `body` and `meta` fields, absent when the entry is.
type EntryFields = (Option<Vec<u8>>, Option<String>);

/// What a lookup found: the answer (if any) and the epoch to store under.
pub struct SharedLookup {
    pub hit: Option<(CachedAnswer, Dependencies)>,
    pub epoch: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    max_age: i32,
    stock_of: Vec<Uuid>,
    any_stock: bool,
    search_index: bool,
}

pub struct SharedStore {
    redis: SharedRedis,
    store_script: Script,
    invalidate_script: Script,
    /// An invalidation failed: Redis may hold answers that should be gone.
    suspect: AtomicBool,
}

/// KEYS: epoch, entry, tag sets. ARGV: expected epoch, body, meta, ttl ms.
const STORE: &str = r"
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], 'body', ARGV[2], 'meta', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[2])
  redis.call('PEXPIRE', KEYS[i], ARGV[4], 'NX')
  redis.call('PEXPIRE', KEYS[i], ARGV[4], 'GT')
end
return 1
";

/// KEYS: epoch, tag sets whose entries go. Deletes the entries and the sets. The epoch
/// expires after an hour without invalidations: a vanished epoch reads as 0, which only
/// refuses the stores of requests that saw it before (entries live far shorter).
const INVALIDATE: &str = r"
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 3600000)
local dropped = 0
for i = 2, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for _, entry in ipairs(members) do
    dropped = dropped + redis.call('DEL', entry)
  end
  redis.call('DEL', KEYS[i])
end
return dropped
";

impl SharedStore {
    pub fn new(redis: SharedRedis) -> Self {
        Self {
            redis,
            store_script: Script::new(STORE),
            invalidate_script: Script::new(INVALIDATE),
            suspect: AtomicBool::new(false),
        }
    }

    fn key(&self, suffix: &str) -> String {
        self.redis.key(&format!("{PREFIX}{suffix}"))
    }

    fn entry_key(&self, key: &CacheKey) -> String {
        self.key(&format!("e:{}", hex::encode(key)))
    }

    fn tag_key(&self, tag: &str) -> String {
        self.key(&format!("t:{tag}"))
    }

    pub async fn get(&self, key: &CacheKey) -> SharedLookup {
        const MISS: SharedLookup = SharedLookup {
            hit: None,
            epoch: None,
        };
        if self.suspect.load(Ordering::Acquire) {
            // Several requests may flush at once after an outage; dropping twice is harmless.
            if self.invalidate(&Invalidation::All).await.is_err() {
                return MISS;
            }
        }
        let pipeline = redis::pipe()
            .hmget(self.entry_key(key), &["body", "meta"])
            .get(self.key("epoch"))
            .clone();
        let found: Result<(EntryFields, Option<u64>), RedisCallError> = self
            .redis
            .run(|mut connection| async move { pipeline.query_async(&mut connection).await })
            .await;
        match found {
            Ok(((Some(body), Some(meta)), epoch)) => {
                let hit = serde_json::from_str::<Meta>(&meta).ok().map(|meta| {
                    let answer = CachedAnswer {
                        body: Bytes::from(body),
                        max_age: meta.max_age,
                    };
                    let deps = Dependencies {
                        stock_of: meta.stock_of.into_iter().collect(),
                        any_stock: meta.any_stock,
                        search_index: meta.search_index,
                    };
                    (answer, deps)
                });
                SharedLookup {
                    hit,
                    epoch: Some(epoch.unwrap_or(0)),
                }
            }
            Ok((_, epoch)) => SharedLookup {
                hit: None,
                epoch: Some(epoch.unwrap_or(0)),
            },
            Err(err) => {
                err.log("response cache lookup");
                MISS
            }
        }
    }

    pub async fn store(
        &self,
        key: &CacheKey,
        epoch: u64,
        answer: &CachedAnswer,
        deps: &Dependencies,
        ttl: Duration,
    ) {
        let meta = Meta {
            max_age: answer.max_age,
            stock_of: deps.stock_of.iter().copied().collect(),
            any_stock: deps.any_stock,
            search_index: deps.search_index,
        };
        let Ok(meta) = serde_json::to_string(&meta) else {
            return;
        };
        let mut invocation = self.store_script.prepare_invoke();
        invocation
            .key(self.key("epoch"))
            .key(self.entry_key(key))
            .key(self.tag_key("all"));
        for id in &deps.stock_of {
            invocation.key(self.tag_key(&id.to_string()));
        }
        if deps.any_stock {
            invocation.key(self.tag_key("any-stock"));
        }
        if deps.search_index {
            invocation.key(self.tag_key("search"));
        }
        invocation
            .arg(epoch)
            .arg(answer.body.as_ref())
            .arg(meta)
            .arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1));
        let stored =
            self.redis
                .run(|mut connection| async move {
                    invocation.invoke_async::<i64>(&mut connection).await
                })
                .await;
        if let Err(err) = stored {
            err.log("response cache store");
        }
    }

    /// Runs `invalidation` in Redis. On failure the layer is suspect until a full flush
    /// succeeds (see the module comment).
    pub async fn invalidate(&self, invalidation: &Invalidation) -> Result<i64, RedisCallError> {
        let mut invocation = self.invalidate_script.prepare_invoke();
        invocation.key(self.key("epoch"));
        match invalidation {
            Invalidation::All => {
                invocation.key(self.tag_key("all"));
            }
            Invalidation::Stock(ids) => {
                invocation.key(self.tag_key("any-stock"));
                for id in ids {
                    invocation.key(self.tag_key(&id.to_string()));
                }
            }
            Invalidation::SearchIndex => {
                invocation.key(self.tag_key("search"));
            }
        }
        let dropped = self
            .redis
            .run(|mut connection| async move { invocation.invoke_async(&mut connection).await })
            .await;
        match (&dropped, invalidation) {
            (Ok(_), Invalidation::All) => self.suspect.store(false, Ordering::Release),
            (Ok(_), _) => {}
            (Err(_), _) => self.suspect.store(true, Ordering::Release),
        }
        dropped
    }
}
