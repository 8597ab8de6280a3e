//! What every handler is given. Its own module, below both the handlers and the router: the
//! handlers take their state from here, and `server` (the router) takes the handlers, so no
//! handler ever depends on the module that mounts it.

use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::websocket_seats::WebsocketSeats;
use schema::GuardedSchema;
use schema::common::shared_redis::SharedRedis;
use schema::response_cache::ResponseCache;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Everything a handler needs: one shared [`ServerParts`], so a clone is one reference-count
/// increment. axum clones the state for every extractor and middleware that takes it (five
/// or six times a request); cloning the parts themselves (the schemas, the app state with its
/// connections and provider map, the cancellation token …) and dropping them again was about
/// a third of the server's CPU time on a cached listing.
#[derive(Clone)]
pub struct ServerState(Arc<ServerParts>);

impl ServerState {
    pub fn new(parts: ServerParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for ServerState {
    type Target = ServerParts;

    fn deref(&self) -> &ServerParts {
        &self.0
    }
}

/// What the server state holds.
pub struct ServerParts {
    pub schema: GuardedSchema,
    /// The Shopify-shaped endpoint's schema (`/api/{version}/graphql.json`).
    pub storefront_schema: GuardedSchema<schema::storefront_compat::CompatSchema>,
    /// Storefront access tokens presented to that endpoint, checked and remembered briefly.
    pub storefront_tokens: Arc<crate::storefront_tokens::StorefrontTokens>,
    pub app: schema::AppState,
    pub metrics: Arc<Metrics>,
    pub options: Arc<ServerOptions>,
    /// Cancelled when the server starts shutting down; open websockets then close.
    pub shutdown: CancellationToken,
    /// Open websocket connections, so shutdown can wait for their close handshakes.
    pub websockets: TaskTracker,
    /// Shared state across replicas, when `REDIS_URL` is set.
    pub redis: Option<SharedRedis>,
    pub rate_limiter: Arc<RateLimiter>,
    /// Open websocket connections per client, for `MAX_WEBSOCKETS_PER_CLIENT`.
    pub websocket_seats: Arc<WebsocketSeats>,
    /// The outbox relay and the Redis event bridge, stopped by `shutdown`.
    pub background: TaskTracker,
    /// Public catalog answers (see `schema::response_cache`).
    pub response_cache: Arc<ResponseCache>,
    /// Subscriptions resolved once for all their subscribers (see `subscription_feeds`).
    pub subscription_feeds: Arc<crate::subscription_feeds::SubscriptionFeeds>,
}

/// Handler behaviour derived from the configuration.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    pub graphiql: bool,
    /// Whether responses carry `x-sql-statements` (development aid; off in production).
    pub expose_statement_count: bool,
    /// How often websocket peers are pinged; two silent intervals drop the connection.
    pub websocket_ping_interval: Duration,
    /// Proxies whose `X-Forwarded-For` entries are believed (see `client::client_ip`).
    pub trusted_proxy_hops: usize,
    pub max_subscriptions_per_connection: usize,
    /// Largest websocket message a client may send (the HTTP body limit applies here too).
    pub max_websocket_message_bytes: usize,
    /// Webhook secret per payment provider; a provider without one answers 404.
    pub payment_webhook_secrets: HashMap<String, String>,
    /// Unlocks `_service { sdl }` for the federation router when introspection is off.
    pub federation_sdl_key: Option<String>,
}
