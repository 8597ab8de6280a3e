//! Caches and Redis: the response cache of public catalog answers, the persisted-query store,
//! and the Redis that shares them (and events, rate-limit counters) between replicas.

use clap::Args;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Caches and Redis")]
pub struct CacheConfig {
    /// Redis URL (`redis://host:6379`). When set, persisted queries and rate-limit counters
    /// are shared by every replica through it.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,

    /// Prefix of every Redis key, so deployments sharing one Redis stay apart.
    #[arg(long, env = "REDIS_NAMESPACE", default_value = "shopgraph")]
    pub redis_namespace: String,

    /// Longest wait, in milliseconds, for one Redis call on a request path; a call that
    /// takes longer counts as a Redis failure and the request goes on without Redis.
    #[arg(long, env = "REDIS_CALL_TIMEOUT_MS", default_value_t = 250)]
    pub redis_call_timeout_ms: u64,

    /// After a Redis failure, milliseconds during which Redis is not asked (in-process
    /// fallbacks answer) before one call probes it again.
    #[arg(long, env = "REDIS_COOL_DOWN_MS", default_value_t = 2000)]
    pub redis_cool_down_ms: u64,

    /// Public catalog answers kept by the read-through response cache (per process; 0 turns
    /// it off). With REDIS_URL the answers are shared by the replicas too.
    #[arg(long, env = "RESPONSE_CACHE_ENTRIES", default_value_t = 10_000)]
    pub response_cache_entries: usize,

    /// Longest life of a cached answer, in seconds (events drop answers sooner; search
    /// answers live at most 2 s).
    #[arg(long, env = "RESPONSE_CACHE_TTL_SECS", default_value_t = 30)]
    pub response_cache_ttl_secs: u64,

    /// Bytes of persisted-query text (APQ) kept in memory, oldest dropped first. One text is
    /// stored only after it passed every limit and validation, and only up to 64 KiB.
    #[arg(long, env = "PERSISTED_QUERY_CACHE_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub persisted_query_cache_bytes: usize,
}
