//! Database connection: pool options per backend, SQLite WAL, statement metrics, migrations.

use crate::metrics::Metrics;
use anyhow::Context as _;
use migration::MigratorTrait;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

tokio::task_local! {
    /// Statements issued on behalf of the current request. The request handler and every
    /// DataLoader batch it spawns run inside `SQL_STATEMENTS.scope(..)`.
    pub static SQL_STATEMENTS: Arc<AtomicUsize>;
}

/// Statements slower than this are logged.
const SLOW_STATEMENT: Duration = Duration::from_millis(250);

/// A pooled connection idle at least this long is pinged before it is handed out.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(5);

/// How long tools (migrate, seed, reindex) wait for a connection: they have no client
/// waiting on them, so they may be patient with a database that is starting.
const TOOL_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// `connect_with` for tools: a patient acquire timeout.
pub async fn connect(
    url: &str,
    max_connections: u32,
    metrics: Arc<Metrics>,
) -> anyhow::Result<DatabaseConnection> {
    connect_with(url, max_connections, TOOL_ACQUIRE_TIMEOUT, metrics).await
}

/// Opens the pool for `url` (`sqlite:` or `postgres:`), creating the SQLite file's directory
/// when needed, and counts every statement into `metrics` and the request's counter.
///
/// PostgreSQL's planner setting for the cost of reading a page out of order, per session.
///
/// The default (4.0) prices disks that seek. A shop's catalog and recent orders are read
/// constantly and stay in memory, and on the default PostgreSQL read the whole variants and
/// images tables for a page of 24 products rather than probe their `product_id` indexes: the
/// product grid cost 1.2 ms of PostgreSQL CPU with it and 0.74 ms with 1.1, the value usually
/// given for data in memory or on SSD (docs/performance.md). A `DATABASE_URL` that sets it
/// (`options=-c random_page_cost=…`) keeps its own value.
const RANDOM_PAGE_COST: &str = "random_page_cost";
const IN_MEMORY_PAGE_COST: &str = "1.1";

/// `acquire_timeout` bounds the wait for a pooled connection, opening a new one included
/// (sqlx retries a refused connection until then): the server passes a short one so that a
/// request fails fast with `SERVICE_UNAVAILABLE` while the database is unreachable.
pub async fn connect_with(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
    metrics: Arc<Metrics>,
) -> anyhow::Result<DatabaseConnection> {
    if let Some(dir) = sqlite_parent_dir(url) {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the database directory {dir}"))?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        // sea-orm hands both to sqlx's pool as its acquire timeout, which covers connecting.
        .connect_timeout(acquire_timeout)
        .acquire_timeout(acquire_timeout)
        // sqlx pings a connection on every acquire by default: one more round trip per
        // transaction or lone statement (checkout's five transactions made five). Only a
        // connection idle this long is pinged — the one a restart, a proxy or a firewall
        // may have dropped meanwhile. A busy connection that broke fails its statement
        // (SERVICE_UNAVAILABLE, retryable) and is closed when sqlx's ping on release fails.
        .test_before_acquire_if_idle_for(PING_WHEN_IDLE_FOR)
        .sqlx_logging(false)
        // WAL lets readers run while one writer commits; NORMAL sync is durable in WAL mode
        // except for the last transactions on power loss, the usual trade-off for servers.
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
        });
    if !url.contains(RANDOM_PAGE_COST) {
        // Sent with the connection's start-up packet: no round trip of its own.
        options.map_sqlx_postgres_opts(|o| o.options([(RANDOM_PAGE_COST, IN_MEMORY_PAGE_COST)]));
    }
    let mut db = Database::connect(options)
        .await
        .with_context(|| format!("connecting to {}", redact(url)))?;
    db.set_metric_callback(move |info| {
        let _ = SQL_STATEMENTS.try_with(|count| count.fetch_add(1, Ordering::Relaxed));
        // `RUST_LOG=shopgraph::sql=trace` prints every statement.
        tracing::trace!(target: "shopgraph::sql", elapsed_us = info.elapsed.as_micros() as u64, sql = %info.statement.sql);
        metrics.record_statement(info.elapsed, info.failed);
        if info.elapsed > SLOW_STATEMENT {
            tracing::warn!(elapsed_ms = info.elapsed.as_millis() as u64, sql = %info.statement.sql, "slow SQL statement");
        }
    });
    Ok(db)
}

/// Applies pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    migration::Migrator::up(db, None)
        .await
        .context("applying migrations")
}

/// The directory of an SQLite database file, if `url` names one.
fn sqlite_parent_dir(url: &str) -> Option<String> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.starts_with(":memory:") {
        return None;
    }
    let parent = std::path::Path::new(path).parent()?.to_str()?.to_owned();
    (!parent.is_empty()).then_some(parent)
}

/// The URL without its password, for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sqlite_directory() {
        assert_eq!(
            sqlite_parent_dir("sqlite://data/shop.db?mode=rwc").as_deref(),
            Some("data")
        );
        assert_eq!(sqlite_parent_dir("sqlite::memory:"), None);
        assert_eq!(sqlite_parent_dir("postgres://u@h/db"), None);
    }

    #[test]
    fn hides_passwords() {
        assert_eq!(
            redact("postgres://shop:secret@db:5432/shop"),
            "postgres://shop:***@db:5432/shop"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
    }
}
