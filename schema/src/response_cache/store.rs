//! The in-process cache of answers: a bounded map with indexes by dependency, and a short log
//! of recent invalidations that closes the race between computing an answer and storing it.
//!
//! The race: an answer computed from the database before a change commits, but stored after
//! the change's invalidation went by, would stay stale until its TTL. So a request takes a
//! [`Ticket`] (the invalidation sequence number) before it runs, and its answer is stored only
//! if no invalidation since then touched what the answer depended on.

use super::dependencies::Dependencies;
use bytes::Bytes;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A request's identity for the cache: a hash of its document, operation and variables.
pub type CacheKey = [u8; 16];

/// Invalidations remembered for the race check; a request that started before the oldest
/// one simply does not store its answer.
const LOG_LENGTH: usize = 1024;

/// A stored answer: the exact JSON bytes and how long HTTP caches may keep it.
#[derive(Clone, Debug)]
pub struct CachedAnswer {
    pub body: Bytes,
    pub max_age: i32,
}

/// Something changed; the answers depending on it must go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invalidation {
    /// The catalog changed (or events may have been missed): everything goes.
    All,
    /// Stock of these products or variants changed.
    Stock(Vec<Uuid>),
    /// The search index applied changes.
    SearchIndex,
}

impl Invalidation {
    fn affects(&self, deps: &Dependencies) -> bool {
        match self {
            Invalidation::All => true,
            Invalidation::Stock(ids) => {
                deps.any_stock || ids.iter().any(|id| deps.stock_of.contains(id))
            }
            Invalidation::SearchIndex => deps.search_index,
        }
    }
}

/// The invalidation sequence number a request saw when it started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket(u64);

struct Entry {
    answer: CachedAnswer,
    deps: Dependencies,
    expires: Instant,
    /// Tells this entry apart from an earlier one under the same key in `order`.
    stamp: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<CacheKey, Entry>,
    by_stock: HashMap<Uuid, HashSet<CacheKey>>,
    any_stock: HashSet<CacheKey>,
    search_index: HashSet<CacheKey>,
    /// Insertion order, oldest first, for eviction.
    order: VecDeque<(CacheKey, u64)>,
    next_stamp: u64,
    sequence: u64,
    log: VecDeque<(u64, Invalidation)>,
}

pub struct LocalStore {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl LocalStore {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every operation leaves the maps consistent before it can panic, so a poisoned lock
        // still guards usable data.
        match self.inner.lock() {
            Ok(inner) => inner,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.lock().sequence)
    }

    pub fn get(&self, key: &CacheKey) -> Option<CachedAnswer> {
        let mut inner = self.lock();
        let entry = inner.entries.get(key)?;
        if entry.expires > Instant::now() {
            return Some(entry.answer.clone());
        }
        inner.remove(key);
        None
    }

    /// Stores `answer` unless an invalidation since `ticket` touched `deps`. Returns whether
    /// it was stored.
    pub fn store(
        &self,
        key: CacheKey,
        ticket: Ticket,
        answer: CachedAnswer,
        deps: Dependencies,
        ttl: Duration,
    ) -> bool {
        if self.capacity == 0 {
            return false;
        }
        let mut inner = self.lock();
        if inner.changed_since(ticket, &deps) {
            return false;
        }
        inner.remove(&key);
        while inner.entries.len() >= self.capacity {
            if !inner.evict_oldest() {
                break;
            }
        }
        let stamp = inner.next_stamp;
        inner.next_stamp += 1;
        for id in &deps.stock_of {
            inner.by_stock.entry(*id).or_default().insert(key);
        }
        if deps.any_stock {
            inner.any_stock.insert(key);
        }
        if deps.search_index {
            inner.search_index.insert(key);
        }
        inner.order.push_back((key, stamp));
        inner.entries.insert(
            key,
            Entry {
                answer,
                deps,
                expires: Instant::now() + ttl,
                stamp,
            },
        );
        true
    }

    /// Drops the answers `invalidation` affects; returns how many.
    pub fn invalidate(&self, invalidation: Invalidation) -> usize {
        let mut inner = self.lock();
        inner.sequence += 1;
        let sequence = inner.sequence;
        if inner.log.len() == LOG_LENGTH {
            inner.log.pop_front();
        }
        inner.log.push_back((sequence, invalidation.clone()));
        let doomed: Vec<CacheKey> = match &invalidation {
            Invalidation::All => inner.entries.keys().copied().collect(),
            Invalidation::Stock(ids) => {
                let mut keys: HashSet<CacheKey> = inner.any_stock.iter().copied().collect();
                for id in ids {
                    if let Some(tagged) = inner.by_stock.get(id) {
                        keys.extend(tagged.iter().copied());
                    }
                }
                keys.into_iter().collect()
            }
            Invalidation::SearchIndex => inner.search_index.iter().copied().collect(),
        };
        for key in &doomed {
            inner.remove(key);
        }
        if invalidation == Invalidation::All {
            // Nothing is left; drop stale eviction bookkeeping too.
            inner.order.clear();
        }
        doomed.len()
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Inner {
    fn changed_since(&self, ticket: Ticket, deps: &Dependencies) -> bool {
        if ticket.0 == self.sequence {
            return false;
        }
        let oldest_logged = self.log.front().map_or(u64::MAX, |(seq, _)| *seq);
        if ticket.0 + 1 < oldest_logged {
            // Invalidations the log no longer holds went by: assume the worst.
            return true;
        }
        self.log
            .iter()
            .filter(|(seq, _)| *seq > ticket.0)
            .any(|(_, invalidation)| invalidation.affects(deps))
    }

    fn remove(&mut self, key: &CacheKey) {
        let Some(entry) = self.entries.remove(key) else {
            return;
        };
        for id in &entry.deps.stock_of {
            if let Some(tagged) = self.by_stock.get_mut(id) {
                tagged.remove(key);
                if tagged.is_empty() {
                    self.by_stock.remove(id);
                }
            }
        }
        self.any_stock.remove(key);
        self.search_index.remove(key);
    }

    /// Removes the oldest live entry; false when there is none.
    fn evict_oldest(&mut self) -> bool {
        while let Some((key, stamp)) = self.order.pop_front() {
            if self.entries.get(&key).is_some_and(|e| e.stamp == stamp) {
                self.remove(&key);
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &'static str) -> CachedAnswer {
        CachedAnswer {
            body: Bytes::from_static(text.as_bytes()),
            max_age: 30,
        }
    }

    fn stock_of(ids: &[Uuid]) -> Dependencies {
        Dependencies {
            stock_of: ids.iter().copied().collect(),
            ..Dependencies::default()
        }
    }

    const TTL: Duration = Duration::from_secs(30);

    #[test]
    fn stock_change_drops_only_the_answers_that_showed_it() {
        let store = LocalStore::new(10);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let t = store.ticket();
        assert!(store.store([1; 16], t, answer("a"), stock_of(&[a]), TTL));
        assert!(store.store([2; 16], t, answer("b"), stock_of(&[b]), TTL));
        let any = Dependencies {
            any_stock: true,
            ..Dependencies::default()
        };
        assert!(store.store([3; 16], t, answer("filtered"), any, TTL));
        assert_eq!(store.invalidate(Invalidation::Stock(vec![a])), 2);
        assert!(store.get(&[1; 16]).is_none());
        assert!(store.get(&[3; 16]).is_none());
        assert_eq!(store.get(&[2; 16]).map(|c| c.body), Some(Bytes::from("b")));
        assert_eq!(store.invalidate(Invalidation::All), 1);
        assert!(store.is_empty());
    }

    #[test]
    fn an_answer_computed_before_a_relevant_change_is_not_stored() {
        let store = LocalStore::new(10);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let before = store.ticket();
        store.invalidate(Invalidation::Stock(vec![a]));
        assert!(!store.store([1; 16], before, answer("stale"), stock_of(&[a]), TTL));
        // An unrelated change does not stop it.
        assert!(store.store([2; 16], before, answer("fresh"), stock_of(&[b]), TTL));
        store.invalidate(Invalidation::All);
        assert!(!store.store([3; 16], before, answer("x"), stock_of(&[b]), TTL));
    }

    #[test]
    fn a_ticket_older_than_the_log_is_refused() {
        let store = LocalStore::new(10);
        let ancient = store.ticket();
        for _ in 0..=LOG_LENGTH {
            store.invalidate(Invalidation::SearchIndex);
        }
        assert!(!store.store([1; 16], ancient, answer("x"), stock_of(&[]), TTL));
        assert!(store.store([1; 16], store.ticket(), answer("x"), stock_of(&[]), TTL));
    }

    #[test]
    fn capacity_evicts_the_oldest_and_ttl_expires() {
        let store = LocalStore::new(2);
        let t = store.ticket();
        for key in 1..=3u8 {
            assert!(store.store([key; 16], t, answer("x"), stock_of(&[]), TTL));
        }
        assert_eq!(store.len(), 2);
        assert!(store.get(&[1; 16]).is_none());
        assert!(store.get(&[3; 16]).is_some());
        assert!(store.store([9; 16], t, answer("x"), stock_of(&[]), Duration::ZERO));
        assert!(store.get(&[9; 16]).is_none());
    }
}
