//! `/metrics` over HTTP: on its own listener (`METRICS_BIND`; 127.0.0.1:9100 by default in
//! production), so the API port never exposes it to the internet, or on the API port in
//! development. `METRICS_TOKEN` additionally requires `Authorization: Bearer <token>`.

use crate::state::ServerState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

/// Longest wait for the backlog gauges read from the database at scrape time: during a
/// database outage a scrape answers with the last values instead of timing out.
const BACKLOG_REFRESH_TIMEOUT: Duration = Duration::from_secs(1);

/// The `/metrics` route, behind the token check when `token` is set.
pub fn router(token: Option<String>) -> Router<ServerState> {
    let token = token
        .filter(|token| !token.trim().is_empty())
        .map(|token| Arc::new(Sha256::digest(token.as_bytes()).to_vec()));
    let route = Router::new().route("/metrics", get(metrics_text));
    match token {
        Some(expected) => route.route_layer(middleware::from_fn(move |request, next| {
            require_token(expected.clone(), request, next)
        })),
        None => route,
    }
}

async fn metrics_text(State(state): State<ServerState>) -> impl IntoResponse {
    let refresh = state.metrics.refresh_outbox_backlog(&state.app.db);
    if tokio::time::timeout(BACKLOG_REFRESH_TIMEOUT, refresh)
        .await
        .is_err()
    {
        tracing::warn!("metrics: the database did not answer in time; backlog gauges are stale");
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
}

/// 401 unless the request carries the token. Digests are compared, so the time taken says
/// nothing about how much of a guessed token was right.
async fn require_token(expected: Arc<Vec<u8>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(|token| Sha256::digest(token.trim().as_bytes()).to_vec());
    if presented.as_deref() == Some(expected.as_slice()) {
        return next.run(request).await;
    }
    let mut refusal = (StatusCode::UNAUTHORIZED, "metrics need a bearer token").into_response();
    refusal.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"metrics\""),
    );
    refusal
}
