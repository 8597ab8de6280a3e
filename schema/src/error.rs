//! The one error type resolvers return, and its mapping to GraphQL errors.
//!
//! Policy: domain services return [`ApiError`]; expected *business* failures of mutations are
//! returned as `userErrors` in payloads instead. Resolvers propagate errors with `?`
//! (async-graphql keeps the original error as the GraphQL error's `source`), and
//! `edge::finalize`, applied to every response by `crate::guarded`, sets `extensions.code` on every error of every
//! response — HTTP and websocket alike. Internal errors are logged inside the request's span
//! (which carries the request id) and replaced by a generic message: SQL, stack traces and
//! secrets never reach a client.

use sea_orm::DbErr;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadUserInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("authentication required")]
    Unauthenticated,
    /// The session the request (or websocket) signed in with expired or was signed out.
    #[error("the session has ended (the access token expired or was signed out); sign in again")]
    SessionEnded,
    #[error("{0}")]
    Forbidden(String),
    #[error("database error: {0}")]
    Database(DbErr),
    #[error("database error: {0}")]
    SharedDatabase(Arc<DbErr>),
    /// The database cannot be reached now: down, unreachable, or no pooled connection within
    /// the acquire timeout. Retryable (`SERVICE_UNAVAILABLE`, HTTP 503); `From<DbErr>` sorts
    /// database errors into this and [`ApiError::Database`].
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(DbErr),
    #[error("internal error: {0}")]
    Internal(String),
    /// A backing service (the search engine) is down; the message says which, for clients.
    #[error("{0}")]
    Unavailable(String),
    /// The client spent an allowance (`common::budget`); `retryAfter` goes to the client too.
    #[error(
        "too many {what}: this client may make {limit} per window; try again in {retry_after_secs} s"
    )]
    RateLimited {
        what: &'static str,
        limit: u32,
        retry_after_secs: u64,
    },
}

impl ApiError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput(message.into())
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput(_) => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Unauthenticated | Self::SessionEnded => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Database(_) | Self::SharedDatabase(_) | Self::Internal(_) => "INTERNAL",
            Self::Unavailable(_) | Self::DatabaseUnavailable(_) => "SERVICE_UNAVAILABLE",
            Self::RateLimited { .. } => "RATE_LIMITED",
        }
    }

    /// Whether this is the database refusing a duplicate in a unique index.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Database(err) if is_unique_violation(err))
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        if unreachable::is_unreachable(&err) {
            Self::DatabaseUnavailable(err)
        } else {
            Self::Database(err)
        }
    }
}

impl From<Arc<DbErr>> for ApiError {
    fn from(err: Arc<DbErr>) -> Self {
        if unreachable::is_unreachable(&err) {
            Self::DatabaseUnavailable(DbErr::clone(&err))
        } else {
            Self::SharedDatabase(err)
        }
    }
}

/// Whether `err` is a unique-index violation: the database's answer when two writers race
/// for one slug, SKU, email or code. Services turn it into a TAKEN user error.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// Result type of resolvers and services.
pub type ApiResult<T> = Result<T, ApiError>;

pub(crate) mod edge;
pub mod unreachable;
