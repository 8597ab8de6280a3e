//! The HTTP status of a GraphQL answer that a backing service's outage left empty.
//!
//! GraphQL answers are HTTP 200 even when they carry errors, but a request that failed only
//! because the database (or the search engine) was unreachable should tell load balancers,
//! CDNs and clients' retry logic so: HTTP 503, with `SERVICE_UNAVAILABLE` in the body. When
//! part of the request was answered (another root field has data), the answer stays 200:
//! the GraphQL-over-HTTP spec wants partial data delivered with a 2xx status.

use async_graphql_axum::GraphQLResponse;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The error code of outages (see `schema::error`).
const UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";

/// `response` as HTTP: 503 when [`is_unavailable`], else as async-graphql-axum answers.
pub fn into_http(response: async_graphql::Response) -> Response {
    let unavailable = is_unavailable(&response);
    let mut http = GraphQLResponse::from(response).into_response();
    if unavailable {
        *http.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    }
    http
}

/// Whether an error says a backing service is unreachable and no root field was answered.
fn is_unavailable(response: &async_graphql::Response) -> bool {
    let outage = response.errors.iter().any(|error| {
        error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .is_some_and(|code| *code == async_graphql::Value::from(UNAVAILABLE))
    });
    outage && nothing_answered(&response.data)
}

fn nothing_answered(data: &async_graphql::Value) -> bool {
    match data {
        async_graphql::Value::Null => true,
        async_graphql::Value::Object(fields) => fields
            .values()
            .all(|value| *value == async_graphql::Value::Null),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{ErrorExtensionValues, Name, ServerError, Value};

    fn answer(data: Value, code: &str) -> async_graphql::Response {
        let mut error = ServerError::new("down", None);
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", Value::from(code));
        error.extensions = Some(extensions);
        let mut response = async_graphql::Response::new(data);
        response.errors.push(error);
        response
    }

    fn object(fields: &[(&str, Value)]) -> Value {
        Value::Object(
            fields
                .iter()
                .map(|(name, value)| (Name::new(name), value.clone()))
                .collect(),
        )
    }

    #[test]
    fn outages_with_nothing_answered_are_503() {
        assert!(is_unavailable(&answer(Value::Null, UNAVAILABLE)));
        assert!(is_unavailable(&answer(
            object(&[("product", Value::Null)]),
            UNAVAILABLE
        )));
        let partial = object(&[("product", Value::Null), ("shop", Value::from("open"))]);
        assert!(!is_unavailable(&answer(partial, UNAVAILABLE)));
        assert!(!is_unavailable(&answer(Value::Null, "INTERNAL")));
    }
}
