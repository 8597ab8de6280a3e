//! The axum router: routes and the middleware stack. The top of the HTTP side: it mounts the
//! handlers, and nothing but `app` depends on it (handlers take their state from `state`).

use crate::config::ServerConfig;
use crate::metrics::HttpLabels;
use crate::state::ServerState;
use crate::{
    graphiql, graphql_http, health, hosted_checkout, metrics_endpoint, request_budget,
    storefront_http, storefront_tokens, webhooks,
};
use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use std::time::{Duration, Instant};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

static REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the router with its middleware stack.
pub fn router(state: ServerState, config: &ServerConfig) -> Router {
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
        .route(
            "/api/{version}/graphql.json",
            axum::routing::post(storefront_http::storefront_post),
        )
        // The hosted checkout's pages spend the same budget as the API.
        .merge(hosted_checkout::pages())
        // Only the API is rate limited; health checks, metrics and GraphiQL's assets are not.
        // The caller (viewer and client) is resolved here for the handler too.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            request_budget::enforce,
        ))
        .route(graphiql::ASSET_ROUTE, get(graphiql::asset))
        .merge(hosted_checkout::assets())
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
                .layer(cors(config.cors_origins.list()))
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

/// `origins` were checked when the command line was parsed (valid header values, no `*`).
fn cors(origins: &[HeaderValue]) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.iter().cloned()))
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static("apollographql-client-name"),
            HeaderName::from_static(storefront_tokens::TOKEN_HEADER),
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
/// type) become GraphQL-shaped JSON so clients parse one error format. HTML answers (the
/// hosted checkout's pages) are left as they are.
async fn graphql_shaped_errors(response: Response) -> Response {
    let status = response.status();
    let is_json_or_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error())
        || is_json_or_page
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
