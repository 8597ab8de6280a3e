//! `POST /api/{version}/graphql.json`: the Shopify-shaped Storefront endpoint
//! (`schema::storefront_compat`). Same request budget, guards, response cache and statement
//! counting as `/graphql` (it goes through the same `execute`); what it adds is the API
//! version in the path and the `X-Shopify-Storefront-Access-Token` check.

use crate::caller::{self, Caller};
use crate::graphql_http::{self, Endpoint, Run};
use crate::state::ServerState;
use crate::storefront_tokens::Admission;
use async_graphql_axum::GraphQLRequest;
use async_graphql_axum::rejection::GraphQLRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schema::guarded::Arrival;
use schema::storefront_compat::versions;

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
    match state
        .storefront_tokens
        .admits(&state.app.db, &headers)
        .await
    {
        Admission::Admitted => {}
        Admission::Refused => {
            return refusal(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "a valid X-Shopify-Storefront-Access-Token is required (staff create one with storefrontTokenCreate)",
            );
        }
        Admission::Unknown => {
            return refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                "the storefront token could not be checked; try again shortly",
            );
        }
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
