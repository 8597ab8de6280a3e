//! Assembles a running application from a configuration: database, migrations, demo data,
//! schema and router. `cli` uses it to serve; tests use it to start real servers in-process.

use crate::config::Config;
use crate::metrics::Metrics;
use crate::rate_limit::{Limit, RateLimiter};
use crate::server::{ServerOptions, ServerState, router};
use crate::websocket_seats::WebsocketSeats;
use crate::{db, graphiql, metrics_endpoint, redis_client, search, seed, webhooks};
use anyhow::Context as _;
use axum::Router;
use schema::carts::service::CartRules;
use schema::common::budget::Allowance;
use schema::common::shared_redis::RedisLimits;
use schema::customers::auth::TokenIssuer;
use schema::customers::service::staff;
use schema::customers::sessions::SessionRevocations;
use schema::events::EventHub;
use schema::events::relay::{OutboxRelay, RelaySettings};
use schema::orders::service::payments::PaymentProviders;
use schema::pricing::PricingSettings;
use schema::pricing::settings::{parse_amounts, parse_tax_rate};
use schema::response_cache::{CacheSettings, ResponseCache};
use schema::unit_of_work::Writer;
use schema::{AppState, PersistedQueryStore, QueryLimits, SchemaSettings};
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
    /// Connects, migrates, seeds when configured, and builds the router.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let metrics = Arc::new(Metrics::new());
        let acquire_timeout = Duration::from_millis(config.database_acquire_timeout_ms.max(1));
        let db = db::connect_with(
            &config.database_url(),
            config.database_max_connections,
            acquire_timeout,
            metrics.clone(),
        )
        .await?;
        db::migrate(&db).await?;
        let catalog_reads = match config.database_read_url.as_deref() {
            Some(url) if !url.trim().is_empty() => {
                let replica = db::connect_with(
                    url,
                    config.database_max_connections,
                    acquire_timeout,
                    metrics.clone(),
                )
                .await?;
                tracing::info!(replica = %db::redact(url), "catalog reads go to the read replica");
                replica
            }
            _ => db.clone(),
        };
        let default_currency = config
            .default_currency
            .parse()
            .map_err(|e| anyhow::anyhow!("DEFAULT_CURRENCY: {e}"))?;
        let redis = match &config.redis_url {
            Some(url) => {
                let limits = RedisLimits {
                    call_timeout: Duration::from_millis(config.redis_call_timeout_ms.max(1)),
                    cool_down: Duration::from_millis(config.redis_cool_down_ms),
                };
                let redis = redis_client::connect(url, &config.redis_namespace, limits).await?;
                tracing::info!(redis = %redis_client::redact(url), namespace = %config.redis_namespace, "connected to Redis");
                metrics.observe_redis(redis.breaker_stats().clone());
                Some(redis)
            }
            None => None,
        };
        let tokens = Arc::new(token_issuer(config)?);
        let sessions = Arc::new(SessionRevocations::new(tokens.access_ttl));
        let rate_limiter = Arc::new(rate_limiter(config, redis.clone()));
        let (search, embedded_index) = search::connect(config, search::Role::Serve).await?;
        let app = AppState {
            db,
            catalog_reads,
            settings: Arc::new(SchemaSettings {
                default_currency,
                max_page_size: 100,
                low_stock_threshold: config.low_stock_threshold.max(0),
                cart_rules: cart_rules(config)?,
            }),
            events: Arc::new(EventHub::new(config.event_buffer, redis.clone())),
            tokens,
            sessions,
            budgets: rate_limiter.clone(),
            payments: PaymentProviders::default(),
            search,
        };
        // Seeding and the admin are units of work, which need the event hub: they come after
        // the state that holds it.
        let writer = app.writer();
        if config.seed_demo && !config.production && seed::catalog_is_empty(&app.db).await? {
            let started = Instant::now();
            let summary = seed::seed_demo_catalog(&writer, seed::DEFAULT_PRODUCTS).await?;
            tracing::info!(
                products = summary.products,
                variants = summary.variants,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "seeded the demo catalog"
            );
        }
        ensure_configured_admin(&writer, config).await?;
        let limits = QueryLimits {
            max_depth: config.max_query_depth,
            max_complexity: config.max_query_complexity,
            introspection: !config.production || config.introspection,
            persisted_queries: PersistedQueryStore::new(
                config.persisted_query_cache_bytes,
                redis.clone(),
            ),
        };
        metrics.observe_events(app.events.stats().clone());
        let schema = schema::build_schema(app.clone(), &limits);
        let options = ServerOptions {
            production: config.production,
            graphiql: !config.production,
            expose_statement_count: !config.production,
            websocket_ping_interval: Duration::from_millis(
                config.websocket_ping_interval_ms.max(100),
            ),
            trusted_proxy_hops: config.trusted_proxy_hops,
            max_subscriptions_per_connection: config.max_subscriptions_per_connection.max(1),
            max_websocket_message_bytes: config.max_body_bytes.max(1024),
            payment_webhook_secrets: webhooks::secrets(config, &app.payments)?,
            federation_sdl_key: config
                .federation_sdl_key
                .clone()
                .filter(|s| !s.trim().is_empty()),
        };
        let state = ServerState {
            schema,
            app,
            metrics,
            options: Arc::new(options),
            shutdown: CancellationToken::new(),
            websockets: TaskTracker::new(),
            redis: redis.clone(),
            rate_limiter,
            background: TaskTracker::new(),
            websocket_seats: Arc::new(WebsocketSeats::new(config.max_websockets_per_client)),
            response_cache: Arc::new(ResponseCache::new(
                CacheSettings {
                    capacity: config.response_cache_entries,
                    ttl: Duration::from_secs(config.response_cache_ttl_secs),
                },
                redis.clone(),
            )),
        };
        state
            .metrics
            .observe_response_cache(state.response_cache.clone());
        if state.response_cache.enabled() {
            let cache = state.response_cache.clone();
            let hub = state.app.events.clone();
            let stop = state.shutdown.clone();
            state
                .background
                .spawn(async move { cache.follow(hub, stop.cancelled_owned()).await });
        }
        {
            // Sessions signed out on any replica: those of the last access-token lifetime
            // before serving, then each as its event arrives.
            let sessions = state.app.sessions.clone();
            let events = state.app.events.subscribe();
            let db = state.app.db.clone();
            sessions.reload(&db).await;
            let stop = state.shutdown.clone();
            state
                .background
                .spawn(async move { sessions.follow(events, db, stop.cancelled_owned()).await });
        }
        if config.outbox_relay {
            let relay = OutboxRelay::new(
                state.app.db.clone(),
                state.app.events.clone(),
                RelaySettings {
                    poll_interval: Duration::from_millis(config.outbox_poll_ms.max(10)),
                    ..RelaySettings::default()
                },
            )
            .with_search(state.app.search.clone());
            let stop = state.shutdown.clone();
            state
                .background
                .spawn(async move { relay.run(stop.cancelled_owned()).await });
        }
        search::spawn_background(
            config,
            state.app.writer(),
            state.app.search.clone(),
            embedded_index,
            &state.background,
            state.shutdown.clone(),
        );
        if state.redis.is_some() {
            let hub = state.app.events.clone();
            let stop = state.shutdown.clone();
            state.background.spawn(async move {
                schema::events::redis_bridge::run(hub, stop.cancelled_owned(), None).await
            });
        }
        let metrics = match config.metrics_address() {
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("binding METRICS_BIND {addr}"))?;
                let routes = metrics_endpoint::router(config.metrics_token.clone())
                    .with_state(state.clone());
                Some((listener, routes))
            }
            None => None,
        };
        Ok(Self {
            router: router(state.clone(), config),
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

    /// Serves until `shutdown` resolves, then drains: in-flight requests finish, websockets
    /// get a close frame (1001, going away) so clients reconnect elsewhere.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let token = self.state.shutdown.clone();
        let websockets = self.state.websockets.clone();
        if let Some((listener, routes)) = self.metrics {
            let stop = token.clone();
            self.state.background.spawn(async move {
                let served = axum::serve(listener, routes)
                    .with_graceful_shutdown(stop.cancelled_owned())
                    .await;
                if let Err(err) = served {
                    tracing::error!(error = %err, "the metrics listener failed");
                }
            });
        }
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                token.cancel();
            })
            .await
            .context("serving HTTP")?;
        // Upgraded connections are not tracked by axum's graceful shutdown; wait for them here.
        websockets.close();
        let background = self.state.background.clone();
        background.close();
        if tokio::time::timeout(WEBSOCKET_DRAIN, websockets.wait())
            .await
            .is_err()
        {
            tracing::warn!(open = websockets.len(), "websockets did not close in time");
        }
        // The relay makes a last pass so events committed during the drain go out.
        if tokio::time::timeout(WEBSOCKET_DRAIN, background.wait())
            .await
            .is_err()
        {
            tracing::warn!("background tasks did not stop in time");
        }
        Ok(())
    }
}

/// How long shutdown waits for websockets to finish their close handshake.
const WEBSOCKET_DRAIN: Duration = Duration::from_secs(5);

/// `ADMIN_EMAIL` + `ADMIN_PASSWORD`: create or update the first administrator at start.
async fn ensure_configured_admin(writer: &Writer, config: &Config) -> anyhow::Result<()> {
    match (&config.admin_email, &config.admin_password) {
        (Some(email), Some(password)) => {
            let outcome = staff::ensure_admin(writer, email, password)
                .await
                .map_err(|e| anyhow::anyhow!("ADMIN_EMAIL/ADMIN_PASSWORD: {e}"))?;
            tracing::info!(?outcome, email = %email, "administrator account ready");
            Ok(())
        }
        (None, None) => Ok(()),
        _ => anyhow::bail!("set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither"),
    }
}

/// Minimum length of `JWT_SECRET`: HS256 wants at least as many key bytes as its output.
const MIN_JWT_SECRET_BYTES: usize = 32;

fn token_issuer(config: &Config) -> anyhow::Result<TokenIssuer> {
    let secret = match &config.jwt_secret {
        Some(secret) if secret.len() >= MIN_JWT_SECRET_BYTES => secret.as_bytes().to_vec(),
        Some(_) => anyhow::bail!("JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes long"),
        None if config.production => anyhow::bail!("JWT_SECRET is required in production mode"),
        None => {
            tracing::warn!(
                "JWT_SECRET is not set: using a random secret; sign-ins end when the server restarts"
            );
            let mut secret = vec![0u8; MIN_JWT_SECRET_BYTES];
            getrandom::fill(&mut secret)
                .map_err(|e| anyhow::anyhow!("no randomness for a JWT secret: {e}"))?;
            secret
        }
    };
    anyhow::ensure!(
        config.access_token_ttl_secs > 0,
        "ACCESS_TOKEN_TTL_SECS must be positive"
    );
    anyhow::ensure!(
        config.refresh_token_ttl_days > 0,
        "REFRESH_TOKEN_TTL_DAYS must be positive"
    );
    Ok(TokenIssuer::new(
        &secret,
        chrono::Duration::seconds(config.access_token_ttl_secs),
        chrono::Duration::days(config.refresh_token_ttl_days),
    ))
}

/// The per-client allowances: requests, sign-ins and discount codes.
fn rate_limiter(
    config: &Config,
    redis: Option<schema::common::shared_redis::SharedRedis>,
) -> RateLimiter {
    let codes_window = Duration::from_secs(config.discount_code_window_secs);
    RateLimiter::new(
        config.rate_limit_requests,
        Duration::from_secs(config.rate_limit_window_secs),
        redis,
    )
    .with(
        Allowance::SignIns,
        Limit::new(
            config.sign_in_attempts,
            Duration::from_secs(config.sign_in_window_secs),
        ),
    )
    .with(
        Allowance::CodesPerClient,
        Limit::new(config.discount_code_attempts_per_client, codes_window),
    )
    .with(
        Allowance::CodesPerCart,
        Limit::new(config.discount_code_attempts_per_cart, codes_window),
    )
}

/// Cart limits, shipping and tax from the configuration; a malformed value stops the start.
fn cart_rules(config: &Config) -> anyhow::Result<CartRules> {
    Ok(CartRules {
        max_lines: config.max_cart_lines.max(1),
        pricing: PricingSettings {
            shipping_rates: parse_amounts(&config.shipping_rates)
                .map_err(|e| anyhow::anyhow!("SHIPPING_RATES: {e}"))?,
            free_shipping_over: parse_amounts(&config.free_shipping_over)
                .map_err(|e| anyhow::anyhow!("FREE_SHIPPING_OVER: {e}"))?,
            tax_rate_bps: parse_tax_rate(&config.tax_rate).map_err(|e| anyhow::anyhow!(e))?,
            tax_inclusive: config.tax_inclusive,
        },
    })
}

/// Binds, builds and serves with the configuration, until Ctrl-C or SIGTERM.
pub async fn run_server(config: &Config) -> anyhow::Result<()> {
    let started = Instant::now();
    if config.production {
        tracing::info!(
            "production mode: GraphiQL off, introspection {}",
            if config.introspection { "on" } else { "off" }
        );
    } else {
        graphiql::log_asset_source();
    }
    let app = App::build(config).await?;
    let listener = TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("binding {}", config.bind))?;
    let addr = listener.local_addr()?;
    if let Some(metrics) = app.metrics_addr() {
        tracing::info!(%metrics, "metrics served on their own listener");
    }
    tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, database = %db::redact(&config.database_url()), "shopgraph is ready");
    println!("shopgraph listening on http://{addr}/graphql (GraphiQL: open it in a browser)");
    app.serve(listener, shutdown_signal()).await?;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what orchestrators send before killing a pod).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested: draining in-flight requests");
}
