//! The one place where errors get their `extensions.code` and internal details are removed.

use super::ApiError;
use super::unreachable::is_unreachable;
use async_graphql::{Response, ServerError, Value};
use sea_orm::DbErr;
use std::sync::Arc;

/// Sets the code of every error of a response (HTTP and websocket alike; see `crate::guarded`).
pub(crate) fn finalize(mut response: Response) -> Response {
    for error in &mut response.errors {
        classify(error);
    }
    response
}

/// What clients read while the database is unreachable (the details are logged).
const DATABASE_UNAVAILABLE: &str = "the database is temporarily unavailable; try again shortly";

/// Sets the code of one error; hides the message of internal ones.
fn classify(error: &mut ServerError) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some());
    if database_unreachable(error) {
        tracing::warn!(error = %error.message, path = ?error.path, "database unreachable while resolving a GraphQL request");
        error.message = DATABASE_UNAVAILABLE.into();
        error.source = None;
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", Value::from("SERVICE_UNAVAILABLE"));
        return;
    }
    let code = if let Some(api) = error.source::<ApiError>() {
        api.code()
    } else if error.source::<DbErr>().is_some() || error.source::<Arc<DbErr>>().is_some() {
        "INTERNAL"
    } else if error.source.is_some() {
        // An error type this module does not know: assume it may carry internals.
        "INTERNAL"
    } else if has_code {
        return;
    } else if error.message == "PersistedQueryNotFound" {
        // The code Apollo clients look for before resending the full query.
        "PERSISTED_QUERY_NOT_FOUND"
    } else {
        // Parse, validation and argument-coercion errors: the client sent something wrong.
        "BAD_USER_INPUT"
    };
    if code == "INTERNAL" {
        tracing::error!(error = %error.message, path = ?error.path, "internal error while resolving a GraphQL request");
        error.message = "internal server error".into();
        error.source = None;
    }
    let retry_after = match error.source::<ApiError>() {
        Some(ApiError::RateLimited {
            retry_after_secs, ..
        }) => Some(*retry_after_secs),
        _ => None,
    };
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", Value::from(code));
    if let Some(secs) = retry_after {
        // As the HTTP 429 answer says it: clients pace themselves by it.
        extensions.set("retryAfter", Value::from(secs));
    }
}

/// Whether `error` comes from an unreachable database, whichever form the resolver returned
/// it in: its message then names hosts and must be replaced.
fn database_unreachable(error: &ServerError) -> bool {
    if let Some(api) = error.source::<ApiError>() {
        return matches!(api, ApiError::DatabaseUnavailable(_));
    }
    error.source::<DbErr>().is_some_and(is_unreachable)
        || error
            .source::<Arc<DbErr>>()
            .is_some_and(|err| is_unreachable(err))
}
