//! Configuration: flags with environment fallbacks. Every field's doc comment is its `--help`.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug, Clone)]
#[command(name = "shopgraph", version, about = "A headless commerce GraphQL API")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Generate a demo catalog (into an empty catalog) and exit.
    Seed {
        /// How many products to generate (3 variants each).
        #[arg(long, default_value_t = crate::seed::DEFAULT_PRODUCTS)]
        products: usize,
    },
    /// Print the GraphQL schema (federation subgraph SDL) and exit.
    ExportSchema,
    /// Rebuild the search index from the catalog with no downtime: a new index is built
    /// aside and replaces the live one when complete (servers keep searching the old one
    /// until then), then changes made meanwhile are queued again for the sync.
    Reindex,
    /// Manage staff accounts.
    Admin {
        #[command(subcommand)]
        action: AdminCommand,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum AdminCommand {
    /// Create the administrator (every permission), or update the account's password and
    /// rights if it exists.
    Create {
        #[arg(long, env = "ADMIN_EMAIL")]
        email: String,
        /// At least 10 characters; prefer the environment variable to keep it out of the
        /// shell history.
        #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

/// Port of the metrics listener in production when `METRICS_BIND` is not set.
pub const DEFAULT_METRICS_PORT: u16 = 9100;

#[derive(Args, Debug, Clone)]
pub struct Config {
    /// Database URL: `sqlite://path?mode=rwc` or `postgres://user@host/db`
    /// [default: the SQLite file shopgraph.db in the data directory]
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// A PostgreSQL read replica for public catalog reads (listings, product pages, search
    /// hydration). Writes, staff requests and the read-your-writes paths (carts, checkout,
    /// orders, accounts) always use DATABASE_URL.
    #[arg(long, env = "DATABASE_READ_URL")]
    pub database_read_url: Option<String>,

    /// Most pooled database connections (per pool: the read replica gets its own).
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 16)]
    pub database_max_connections: u32,

    /// Longest wait, in milliseconds, for a database connection from the pool (connecting
    /// included). When the database is unreachable, requests fail after this with HTTP 503
    /// `SERVICE_UNAVAILABLE` instead of hanging.
    #[arg(long, env = "DATABASE_ACQUIRE_TIMEOUT_MS", default_value_t = 2000)]
    pub database_acquire_timeout_ms: u64,

    /// Address to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,

    /// Address serving `/metrics` (Prometheus), apart from the API [default: 127.0.0.1:9100
    /// in production; in development /metrics is on the API port unless this is set]. With
    /// it set, /metrics on the API port answers 404.
    #[arg(long, env = "METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// Bearer token `/metrics` requires (`Authorization: Bearer <token>`); none: no token.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Origins allowed to call the API from a browser, comma-separated (none: same-origin only).
    #[arg(long, env = "CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

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

    /// Requests one client may make per rate-limit window (0 turns rate limiting off).
    /// Signed-in clients are counted by account, others by IP address.
    #[arg(long, env = "RATE_LIMIT_REQUESTS", default_value_t = 1200)]
    pub rate_limit_requests: u32,

    /// Length of the rate-limit window in seconds.
    #[arg(long, env = "RATE_LIMIT_WINDOW_SECS", default_value_t = 60)]
    pub rate_limit_window_secs: u64,

    /// Password checks (`tokenCreate` fields, aliases included) one client may make per
    /// sign-in window, over HTTP and websockets together (0: no limit beyond
    /// RATE_LIMIT_REQUESTS). Clients are counted as for RATE_LIMIT_REQUESTS.
    #[arg(long, env = "SIGN_IN_ATTEMPTS", default_value_t = 10)]
    pub sign_in_attempts: u32,

    /// Length of the sign-in window in seconds.
    #[arg(long, env = "SIGN_IN_WINDOW_SECS", default_value_t = 60)]
    pub sign_in_window_secs: u64,

    /// Discount codes one client (account, else IP address) may try per discount-code window,
    /// over all its carts; codes already on the cart are not tried again (0: no limit).
    #[arg(long, env = "DISCOUNT_CODE_ATTEMPTS_PER_CLIENT", default_value_t = 30)]
    pub discount_code_attempts_per_client: u32,

    /// Discount codes that may be tried on one cart per discount-code window, whoever tries
    /// them (0: no limit).
    #[arg(long, env = "DISCOUNT_CODE_ATTEMPTS_PER_CART", default_value_t = 10)]
    pub discount_code_attempts_per_cart: u32,

    /// Length of the discount-code window in seconds.
    #[arg(long, env = "DISCOUNT_CODE_WINDOW_SECS", default_value_t = 3600)]
    pub discount_code_window_secs: u64,

    /// Reverse proxies in front of the server that append to `X-Forwarded-For`. With N > 0
    /// the client address is the N-th entry from the right; with 0 the header is ignored
    /// (clients could forge it).
    #[arg(long, env = "TRUSTED_PROXY_HOPS", default_value_t = 0)]
    pub trusted_proxy_hops: usize,

    /// Run the outbox relay in this process (publishes committed events). Turn it off only
    /// when other replicas run it: events written here are then published by them.
    #[arg(long, env = "OUTBOX_RELAY", default_value_t = true, action = clap::ArgAction::Set)]
    pub outbox_relay: bool,

    /// Milliseconds between outbox checks when no local write woke the relay (picks up events
    /// of crashed processes and of replicas without a relay).
    #[arg(long, env = "OUTBOX_POLL_MS", default_value_t = 1000)]
    pub outbox_poll_ms: u64,

    /// Meilisearch server URL. When set, search uses it; otherwise the embedded index
    /// (tantivy) under SEARCH_INDEX_DIR.
    #[arg(long, env = "MEILISEARCH_URL")]
    pub meilisearch_url: Option<String>,

    /// Meilisearch API key (a key allowed to manage the index, or the master key).
    #[arg(long, env = "MEILISEARCH_API_KEY", hide_env_values = true)]
    pub meilisearch_api_key: Option<String>,

    /// Name (uid) of the Meilisearch index holding products.
    #[arg(long, env = "MEILISEARCH_INDEX", default_value = "products")]
    pub meilisearch_index: String,

    /// Directory of the embedded search index [default: `search` in the data directory].
    /// One process per directory: replicas sharing an index use Meilisearch.
    #[arg(long, env = "SEARCH_INDEX_DIR")]
    pub search_index_dir: Option<PathBuf>,

    /// Keep the search index in sync in this process (drains the search queue the outbox
    /// relay fills). With Meilisearch, replicas take turns; with the embedded index every
    /// process syncs its own copy only if it is the only one.
    #[arg(long, env = "SEARCH_SYNC", default_value_t = true, action = clap::ArgAction::Set)]
    pub search_sync: bool,

    /// `lowStock` reports variants at or below this availability (unless a variant sets its
    /// own threshold).
    #[arg(long, env = "LOW_STOCK_THRESHOLD", default_value_t = 5)]
    pub low_stock_threshold: i32,

    /// Subscriptions one websocket connection may hold at once.
    #[arg(long, env = "MAX_SUBSCRIPTIONS_PER_CONNECTION", default_value_t = 100)]
    pub max_subscriptions_per_connection: usize,

    /// Websocket connections one client (account or IP address) may hold at once (0: no cap).
    #[arg(long, env = "MAX_WEBSOCKETS_PER_CLIENT", default_value_t = 256)]
    pub max_websockets_per_client: usize,

    /// Events a subscriber may fall behind before it is resynced.
    #[arg(long, env = "EVENT_BUFFER", default_value_t = 4096)]
    pub event_buffer: usize,

    /// Production mode: no GraphiQL, no introspection (unless --introspection), no demo seed.
    #[arg(long, env = "PRODUCTION")]
    pub production: bool,

    /// Allow schema introspection in production mode (also `_service { sdl }` and "Did you
    /// mean …" suggestions, which are off with it).
    #[arg(long, env = "INTROSPECTION")]
    pub introspection: bool,

    /// A secret the federation router sends as the `x-federation-sdl-key` header to read
    /// `_service { sdl }` when introspection is off (or give the router `graphql/schema.graphql`).
    #[arg(long, env = "FEDERATION_SDL_KEY", hide_env_values = true)]
    pub federation_sdl_key: Option<String>,

    /// Seed a demo catalog at start when the catalog is empty (never in production).
    #[arg(long, env = "SEED_DEMO", default_value_t = true, action = clap::ArgAction::Set)]
    pub seed_demo: bool,

    /// Currency used when a query names none.
    #[arg(long, env = "DEFAULT_CURRENCY", default_value = "USD")]
    pub default_currency: String,

    /// Most different items (lines) one cart may hold.
    #[arg(long, env = "MAX_CART_LINES", default_value_t = 100)]
    pub max_cart_lines: usize,

    /// Flat shipping rate per currency, e.g. `USD=5.00,EUR=4.50` (unlisted currencies: 5.00).
    #[arg(long, env = "SHIPPING_RATES", default_value = "")]
    pub shipping_rates: String,

    /// Shipping is free from this discounted subtotal, e.g. `USD=50.00` (unlisted: 50.00).
    #[arg(long, env = "FREE_SHIPPING_OVER", default_value = "")]
    pub free_shipping_over: String,

    /// Tax rate in percent on goods after discounts, e.g. `8.25` (shipping is not taxed).
    #[arg(long, env = "TAX_RATE", default_value = "0")]
    pub tax_rate: String,

    /// Catalog prices include tax (the tax total is then the part they contain).
    #[arg(long, env = "TAX_INCLUSIVE", default_value_t = false, action = clap::ArgAction::Set)]
    pub tax_inclusive: bool,

    /// Webhook secret (HMAC-SHA256) of the `test` payment provider; kept from when one
    /// secret served every provider. Same as `PAYMENT_WEBHOOK_SECRETS=test=<secret>`.
    #[arg(long, env = "PAYMENT_WEBHOOK_SECRET", hide_env_values = true)]
    pub payment_webhook_secret: Option<String>,

    /// Webhook secrets per payment provider, `provider=secret,provider=secret` (HMAC-SHA256).
    /// A provider without a secret takes no webhooks (404); `manual` takes none at all.
    #[arg(long, env = "PAYMENT_WEBHOOK_SECRETS", hide_env_values = true)]
    pub payment_webhook_secrets: Option<String>,

    /// Largest request body in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Seconds after which a request is answered with a timeout error.
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Deepest selection nesting a query may have.
    #[arg(long, env = "MAX_QUERY_DEPTH", default_value_t = 15)]
    pub max_query_depth: usize,

    /// Highest complexity score a query may have (each field costs 1, lists multiply).
    #[arg(long, env = "MAX_QUERY_COMPLEXITY", default_value_t = 20_000)]
    pub max_query_complexity: usize,

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

    /// Milliseconds between websocket pings; a peer silent for two intervals is dropped.
    #[arg(long, env = "WEBSOCKET_PING_INTERVAL_MS", default_value_t = 15_000)]
    pub websocket_ping_interval_ms: u64,

    /// Email of the first staff administrator, created (or updated) at start together with
    /// ADMIN_PASSWORD.
    #[arg(long, env = "ADMIN_EMAIL")]
    pub admin_email: Option<String>,

    /// Password of that administrator.
    #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Secret that signs access tokens (at least 32 bytes). Required in production; without
    /// it a random secret is used and tokens do not survive a restart.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Lifetime of access tokens in seconds.
    #[arg(long, env = "ACCESS_TOKEN_TTL_SECS", default_value_t = 900)]
    pub access_token_ttl_secs: i64,

    /// Lifetime of refresh tokens (sessions) in days.
    #[arg(long, env = "REFRESH_TOKEN_TTL_DAYS", default_value_t = 30)]
    pub refresh_token_ttl_days: i64,

    /// Log format: `text` or `json`.
    #[arg(long, env = "LOG_FORMAT", default_value = "text")]
    pub log_format: String,

    /// Directory for local data: the default SQLite database and the embedded search index.
    #[arg(long, env = "DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

impl Config {
    /// A configuration with every default, for tests and tools.
    pub fn with_database(database_url: &str) -> Self {
        let mut config = Cli::parse_from(["shopgraph"]).config;
        config.database_url = Some(database_url.to_owned());
        config
    }

    /// Where the embedded search index lives.
    pub fn search_index_dir(&self) -> PathBuf {
        self.search_index_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("search"))
    }

    /// Where `/metrics` is served apart from the API: `METRICS_BIND`, else 127.0.0.1:9100 in
    /// production; `None` keeps it on the API port (development).
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics_bind.or_else(|| {
            self.production
                .then(|| SocketAddr::from(([127, 0, 0, 1], DEFAULT_METRICS_PORT)))
        })
    }

    /// `DATABASE_URL`, or the SQLite file `shopgraph.db` in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("shopgraph.db").display()
            ),
        }
    }
}
