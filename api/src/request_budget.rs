//! The request budget on `/graphql`: each HTTP request spends one from its caller's budget
//! (`rate_limit`), and once it is spent the answer is 429. Every answer carries the
//! `RateLimit-*` headers so clients can pace themselves.

use crate::caller::Caller;
use crate::rate_limit::{Verdict, refusal_message};
use crate::state::ServerState;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Middleware on `/graphql`. It resolves the caller (see `caller`) for everything after it.
pub async fn enforce(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let client = Caller::of(&state, &parts.headers, &mut parts.extensions).client;
    let request = Request::from_parts(parts, body);
    let Some(verdict) = state.rate_limiter.check(&client).await else {
        return next.run(request).await;
    };
    let mut response = if verdict.allowed {
        next.run(request).await
    } else {
        tracing::info!(client = ?client, "rate limit reached");
        too_many_requests(verdict)
    };
    add_headers(response.headers_mut(), verdict);
    response
}

fn too_many_requests(verdict: Verdict) -> Response {
    let retry_after = verdict.retry_after_secs();
    let body = json!({ "errors": [{
        "message": refusal_message(verdict),
        "extensions": { "code": "RATE_LIMITED", "retryAfter": retry_after },
    }]});
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

fn add_headers(headers: &mut HeaderMap, verdict: Verdict) {
    static LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
    static REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
    static RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
    headers.insert(LIMIT.clone(), HeaderValue::from(verdict.limit));
    headers.insert(REMAINING.clone(), HeaderValue::from(verdict.remaining));
    headers.insert(RESET.clone(), HeaderValue::from(verdict.retry_after_secs()));
}
