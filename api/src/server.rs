//! The axum router: routes, middleware stack and serving with graceful shutdown.

use crate::config::Config;
use crate::metrics::{HttpLabels, Metrics};
use crate::rate_limit::{self, RateLimiter};
use crate::websocket_seats::WebsocketSeats;
use crate::{graphiql, graphql_http, health, metrics_endpoint, webhooks};
use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use schema::GuardedSchema;
use schema::common::shared_redis::SharedRedis;
use schema::response_cache::ResponseCache;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct ServerState {
    pub schema: GuardedSchema,
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
}

/// Server behaviour derived from the configuration.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    pub production: bool,
    pub graphiql: bool,
    /// Whether responses carry `x-sql-statements` (development aid; off in production).
    pub expose_statement_count: bool,
    /// How often websocket peers are pinged; two silent intervals drop the connection.
    pub websocket_ping_interval: Duration,
    /// Proxies whose `X-Forwarded-For` entries are believed (see `rate_limit::client_ip`).
    pub trusted_proxy_hops: usize,
    pub max_subscriptions_per_connection: usize,
    /// Largest websocket message a client may send (the HTTP body limit applies here too).
    pub max_websocket_message_bytes: usize,
    /// Webhook secret per payment provider; a provider without one answers 404.
    pub payment_webhook_secrets: HashMap<String, String>,
    /// Unlocks `_service { sdl }` for the federation router when introspection is off.
    pub federation_sdl_key: Option<String>,
}

pub static REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the router with its middleware stack.
pub fn router(state: ServerState, config: &Config) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .and_then(|id| id.header_value().to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", method = %request.method(), uri = %request.uri().path(), request_id = %request_id)
    });
    let router = Router::new()
        .route(
            "/graphql",
            get(graphql_http::graphql_get).post(graphql_http::graphql_post),
        )
        // Only the API is rate limited; health checks, metrics and GraphiQL's assets are not.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit::enforce,
        ))
        .route(graphiql::ASSET_ROUTE, get(graphiql::asset))
        // Browsers ask for it on every GraphiQL visit; an empty answer keeps consoles clean.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route(
            "/webhooks/payments/{provider}",
            axum::routing::post(webhooks::payment_webhook),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz));
    // With a metrics listener of its own (always in production), /metrics here is a 404.
    let router = match config.metrics_address() {
        Some(_) => router,
        None => router.merge(metrics_endpoint::router(config.metrics_token.clone())),
    };
    router
        .layer(middleware::from_fn_with_state(
            state.clone(),
            record_metrics,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(
                    REQUEST_ID_HEADER.clone(),
                    MakeRequestUuid,
                ))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER.clone()))
                // Outside CORS and the timeout: both need response bodies that this layer's
                // body type does not provide.
                .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
                .layer(cors(&config.cors_origins))
                .layer(CompressionLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(config.request_timeout_secs),
                )),
        )
        // Outermost, so that rejections of the layers above are reshaped too.
        .layer(middleware::map_response(graphql_shaped_errors))
        .with_state(state)
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static("apollographql-client-name"),
        ])
        .max_age(Duration::from_secs(600))
}

async fn record_metrics(
    State(state): State<ServerState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    // The matched route, not the raw path, keeps label cardinality bounded.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let response = next.run(request).await;
    let labels = HttpLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    state.metrics.record_http(labels, started.elapsed());
    response
}

/// Plain-text rejections from the middleware (body too large, timeout, unsupported media
/// type) become GraphQL-shaped JSON so clients parse one error format.
async fn graphql_shaped_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !(status.is_client_error() || status.is_server_error())
        || is_json
        || status == StatusCode::NOT_FOUND
    {
        return response;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "PAYLOAD_TOO_LARGE",
            "the request body is larger than the server accepts",
        ),
        StatusCode::REQUEST_TIMEOUT => ("TIMEOUT", "the request took too long and was cancelled"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("BAD_REQUEST", "send GraphQL requests as application/json")
        }
        StatusCode::METHOD_NOT_ALLOWED => ("BAD_REQUEST", "use GET or POST"),
        s if s.is_server_error() => ("INTERNAL", "internal server error"),
        _ => ("BAD_REQUEST", "the request is not a valid GraphQL request"),
    };
    let (mut parts, body) = response.into_parts();
    let detail = if status.is_client_error() && status != StatusCode::PAYLOAD_TOO_LARGE {
        let bytes = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).trim().to_owned();
        (!text.is_empty()).then_some(text)
    } else {
        None
    };
    let message = match detail {
        Some(detail) => format!("{message}: {detail}"),
        None => message.to_owned(),
    };
    let body =
        serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    // Keep the original headers (request id, CORS) but describe the new body.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body.to_string()))
}
