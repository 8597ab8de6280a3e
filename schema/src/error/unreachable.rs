//! Which database errors mean "the database cannot be reached now" rather than "this
//! statement failed": the former are retryable outages (`SERVICE_UNAVAILABLE`, HTTP 503),
//! the latter internal errors.

use sea_orm::sqlx;
use sea_orm::{DbErr, RuntimeErr};

/// Whether `err` comes from an unreachable database: no pooled connection within the acquire
/// timeout (sqlx keeps retrying a refused connection until then), a connection that could
/// not be opened or broke, or PostgreSQL refusing connections (shutting down, starting up).
pub fn is_unreachable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err)) => {
            is_unreachable_sqlx(err)
        }
        _ => false,
    }
}

fn is_unreachable_sqlx(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception) and 57P01-57P03 (the server is shutting
        // down or cannot take connections yet). SQLite's codes are plain numbers.
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use sea_orm::ConnAcquireErr;
    use std::sync::Arc;

    fn sqlx_query_err(err: sqlx::Error) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))
    }

    #[test]
    fn outages_are_service_unavailable() {
        let outages = [
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
            DbErr::Conn(RuntimeErr::Internal("refused".into())),
            sqlx_query_err(sqlx::Error::Io(std::io::Error::from(
                std::io::ErrorKind::ConnectionReset,
            ))),
            sqlx_query_err(sqlx::Error::PoolTimedOut),
        ];
        for err in outages {
            assert_eq!(
                ApiError::from(err.clone()).code(),
                "SERVICE_UNAVAILABLE",
                "{err}"
            );
            assert_eq!(
                ApiError::from(Arc::new(err.clone())).code(),
                "SERVICE_UNAVAILABLE",
                "{err}"
            );
        }
    }

    #[test]
    fn failed_statements_stay_internal() {
        let failures = [
            DbErr::RecordNotFound("order".into()),
            DbErr::Custom("bad row".into()),
            sqlx_query_err(sqlx::Error::RowNotFound),
        ];
        for err in failures {
            assert_eq!(ApiError::from(err.clone()).code(), "INTERNAL", "{err}");
        }
    }
}
