//! Assembles a running application from a configuration: database, migrations, demo data,
//! schema and router. `cli` uses it to serve; tests use it to start real servers in-process.
//!
//! In order: what the configuration alone decides (`from_config`, nothing connects, so a
//! refused setting stops the start first), then the connections and the state, then the
//! background tasks (`background`); `serve` runs it until shutdown.

mod background;
mod from_config;
mod serve;

pub use serve::run_server;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::state::{ServerParts, ServerState};
use crate::storefront_tokens::StorefrontTokens;
use crate::subscription_feeds::{self, SubscriptionFeeds};
use crate::websocket_seats::WebsocketSeats;
use crate::{db, metrics_endpoint, redis_client, seed, server};
use anyhow::Context as _;
use axum::Router;
use from_config::Prepared;
use schema::common::shared_redis::{RedisLimits, SharedRedis};
use schema::customers::sessions::SessionRevocations;
use schema::customers::staff::admin as staff;
use schema::events::EventHub;
use schema::response_cache::{CacheSettings, ResponseCache};
use schema::unit_of_work::Writer;
use schema::webhooks::service::WebhookRuntime;
use schema::{AppState, PersistedQueryStore, QueryLimits};
use sea_orm::DatabaseConnection;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub struct App {
    pub router: Router,
    pub state: ServerState,
    /// `/metrics` apart from the API (see `metrics_endpoint`), bound at build so that a
    /// taken port stops the start; served by `serve`.
    metrics: Option<(TcpListener, Router)>,
}

impl App {
    /// Checks the configuration, connects, migrates, seeds when configured, and builds the
    /// router.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let prepared = Prepared::new(config)?;
        let metrics = Arc::new(Metrics::new());
        let (db, catalog_reads) = databases(config, &metrics).await?;
        let redis = match &config.cache.redis_url {
            Some(url) => Some(redis(config, url, &metrics).await?),
            None => None,
        };
        let sessions = Arc::new(SessionRevocations::new(prepared.tokens.access_ttl));
        let rate_limiter = Arc::new(from_config::rate_limiter(config, redis.clone()));
        let (search, embedded_index) = prepared.search.prepare().await;
        let prepared_mailer = prepared.mailer;
        let app = AppState {
            db,
            catalog_reads,
            settings: prepared.settings,
            events: Arc::new(EventHub::new(config.events.event_buffer, redis.clone())),
            tokens: prepared.tokens,
            sessions,
            budgets: rate_limiter.clone(),
            payments: prepared.payments,
            search,
            webhooks: Arc::new(WebhookRuntime::default()),
        };
        // Seeding and the administrator are units of work, which need the event hub: they
        // come after the state that holds it.
        let writer = app.writer();
        if config.database.seed_demo
            && !config.server.production
            && seed::catalog_is_empty(&app.db).await?
        {
            let started = Instant::now();
            let summary = seed::seed_demo_catalog(&writer, seed::DEFAULT_PRODUCTS).await?;
            seed::analyse_seeded_tables(&app.db).await?;
            tracing::info!(
                products = summary.products,
                variants = summary.variants,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "seeded the demo catalog"
            );
        }
        ensure_configured_admin(&writer, config).await?;
        let limits = QueryLimits {
            max_depth: config.server.max_query_depth,
            max_complexity: config.server.max_query_complexity,
            introspection: config.server.introspection_allowed(),
            persisted_queries: PersistedQueryStore::new(
                config.cache.persisted_query_cache_bytes,
                redis.clone(),
            ),
        };
        metrics.observe_webhooks(app.webhooks.clone());
        let schema = schema::build_schema(app.clone(), &limits);
        let storefront_schema = schema::storefront_compat::build_schema(app.clone(), &limits);
        let subscription_feeds = Arc::new(SubscriptionFeeds::new(
            config.events.event_buffer,
            subscription_feeds::anonymous_runner(schema.clone(), app.clone()),
        ));
        metrics.observe_events(app.events.clone(), subscription_feeds.clone());
        let state = ServerState::new(ServerParts {
            schema,
            storefront_schema,
            storefront_tokens: Arc::new(StorefrontTokens::new(
                config.server.storefront_token_required,
            )),
            app,
            metrics,
            options: Arc::new(prepared.options),
            shutdown: CancellationToken::new(),
            websockets: TaskTracker::new(),
            redis: redis.clone(),
            rate_limiter,
            background: TaskTracker::new(),
            websocket_seats: Arc::new(WebsocketSeats::new(
                config.websocket.max_websockets_per_client,
            )),
            response_cache: Arc::new(ResponseCache::new(
                CacheSettings {
                    capacity: config.cache.response_cache_entries,
                    ttl: Duration::from_secs(config.cache.response_cache_ttl_secs),
                },
                redis,
            )),
            subscription_feeds,
        });
        state
            .metrics
            .observe_response_cache(state.response_cache.clone());
        background::start(&state, config, embedded_index, prepared_mailer).await;
        let metrics = match config.server.metrics_address() {
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("binding METRICS_BIND {addr}"))?;
                let routes = metrics_endpoint::router(config.server.metrics_token.clone())
                    .with_state(state.clone());
                Some((listener, routes))
            }
            None => None,
        };
        Ok(Self {
            router: server::router(state.clone(), &config.server),
            state,
            metrics,
        })
    }

    /// Where `/metrics` is served when not on the API port.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }
}

/// The primary (migrated) and where catalog reads go: the read replica, or the primary.
async fn databases(
    config: &Config,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<(DatabaseConnection, DatabaseConnection)> {
    let database = &config.database;
    let db = pool(config, &config.database_url(), metrics).await?;
    db::migrate(&db).await?;
    let catalog_reads = match database.read_url() {
        Some(url) => {
            let replica = pool(config, url, metrics).await?;
            tracing::info!(replica = %db::redact(url), "catalog reads go to the read replica");
            replica
        }
        None => db.clone(),
    };
    Ok((db, catalog_reads))
}

/// A connection pool to `url` as configured (the replica gets one of its own).
async fn pool(
    config: &Config,
    url: &str,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<DatabaseConnection> {
    let database = &config.database;
    let acquire_timeout = Duration::from_millis(database.database_acquire_timeout_ms.max(1));
    db::connect_with(
        url,
        database.max_connections(url),
        acquire_timeout,
        metrics.clone(),
    )
    .await
}

async fn redis(config: &Config, url: &str, metrics: &Metrics) -> anyhow::Result<SharedRedis> {
    let cache = &config.cache;
    let limits = RedisLimits {
        call_timeout: Duration::from_millis(cache.redis_call_timeout_ms.max(1)),
        cool_down: Duration::from_millis(cache.redis_cool_down_ms),
    };
    let redis = redis_client::connect(url, &cache.redis_namespace, limits).await?;
    tracing::info!(redis = %redis_client::redact(url), namespace = %cache.redis_namespace, "connected to Redis");
    metrics.observe_redis(redis.breaker_stats().clone());
    Ok(redis)
}

/// `ADMIN_EMAIL` + `ADMIN_PASSWORD` (both or neither: `Config::check`): create or update the
/// first administrator at start.
async fn ensure_configured_admin(writer: &Writer, config: &Config) -> anyhow::Result<()> {
    let (Some(email), Some(password)) = (&config.auth.admin_email, &config.auth.admin_password)
    else {
        return Ok(());
    };
    let outcome = staff::ensure_admin(writer, email, password)
        .await
        .map_err(|e| anyhow::anyhow!("ADMIN_EMAIL/ADMIN_PASSWORD: {e}"))?;
    tracing::info!(?outcome, email = %email, "administrator account ready");
    Ok(())
}
