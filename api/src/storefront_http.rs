//! `POST /api/{version}/graphql.json`: the Shopify-shaped Storefront endpoint
//! (`schema::storefront_compat`). Same request budget, guards, response cache and statement
//! counting as `/graphql` (it goes through the same `execute`); what it adds is the API
//! version in the path and the `X-Shopify-Storefront-Access-Token` check.

use crate::caller::{self, Caller};
use crate::graphql_http::{self, Endpoint, Run};
use crate::state::ServerState;
use async_graphql_axum::GraphQLRequest;
use async_graphql_axum::rejection::GraphQLRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schema::guarded::Arrival;
use schema::storefront_access::service::live_token;
use schema::storefront_compat::versions;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The header storefront libraries send their token in.
pub const TOKEN_HEADER: &str = "x-shopify-storefront-access-token";

/// How long a token's check is trusted: a revoked token stops working within this time.
const TOKEN_CHECK_TTL: Duration = Duration::from_secs(10);
/// Most token checks remembered (beyond it the memory is cleared: a flood of forged tokens
/// costs database reads, bounded by the request budget, never memory).
const MAX_REMEMBERED_TOKENS: usize = 1024;

pub async fn storefront_post(
    State(state): State<ServerState>,
    Path(version): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    if !versions::is_supported(&version) {
        return refusal(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "unknown API version: use one from 2023-01 to 2027-01, e.g. /api/2025-01/graphql.json",
        );
    }
    match state.storefront_tokens.admits(&state, &headers).await {
        Ok(true) => {}
        Ok(false) => {
            return refusal(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "a valid X-Shopify-Storefront-Access-Token is required (staff create one with storefrontTokenCreate)",
            );
        }
        Err(answer) => return answer,
    }
    let request = match request {
        Ok(request) => request.into_inner(),
        Err(rejection) => return graphql_http::unreadable(rejection),
    };
    let viewer = match caller.viewer {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal.into_response(),
    };
    let run = Run {
        endpoint: Endpoint::Storefront,
        viewer,
        client: caller.client,
        session: caller.session,
        arrival: Arrival::post(),
        get: None,
        fresh: graphql_http::wants_fresh(&headers),
        request_id: caller::request_id(&headers),
    };
    let mut answer = graphql_http::execute(state, request, run).await;
    // Shopify answers `application/json`, and its clients refuse any other type (GraphQL over
    // HTTP's `application/graphql-response+json`, which `/graphql` sends, included).
    answer.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    answer
}

fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    let body =
        serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, axum::Json(body)).into_response()
}

/// Checks presented storefront tokens, remembering each answer briefly so that a storefront's
/// every request does not cost a database read.
pub struct StorefrontTokens {
    /// Without a token: answered (false) or refused with 401 (true).
    required: bool,
    checked: Mutex<HashMap<[u8; 32], (bool, Instant)>>,
}

impl StorefrontTokens {
    pub fn new(required: bool) -> Self {
        Self {
            required,
            checked: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the request may use the endpoint: a presented token must be live (whatever
    /// the setting); none is fine unless tokens are required. `Err` is the answer when the
    /// database cannot say.
    async fn admits(&self, state: &ServerState, headers: &HeaderMap) -> Result<bool, Response> {
        let Some(presented) = headers.get(TOKEN_HEADER) else {
            return Ok(!self.required);
        };
        let Ok(presented) = presented.to_str() else {
            return Ok(false);
        };
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        if let Some(live) = self.remembered(&digest) {
            return Ok(live);
        }
        let live = match live_token(&state.app.db, presented).await {
            Ok(found) => found.is_some(),
            Err(error) => {
                tracing::error!(%error, "checking a storefront token");
                return Err(refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "the storefront token could not be checked; try again shortly",
                ));
            }
        };
        self.remember(digest, live);
        Ok(live)
    }

    fn remembered(&self, digest: &[u8; 32]) -> Option<bool> {
        let checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        checked
            .get(digest)
            .filter(|(_, at)| at.elapsed() < TOKEN_CHECK_TTL)
            .map(|(live, _)| *live)
    }

    fn remember(&self, digest: [u8; 32], live: bool) {
        let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        if checked.len() >= MAX_REMEMBERED_TOKENS {
            checked.clear();
        }
        checked.insert(digest, (live, Instant::now()));
    }
}
