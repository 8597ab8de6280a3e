//! The search sync: drains the search queue into the engine, in batches, in the background.
//!
//! A batch is: take the oldest queued products, build their documents from the database,
//! send them to the engine, and remove the rows that did not change meanwhile. When the
//! engine is down the batch fails and is retried with backoff; nothing else waits for it.
//! On PostgreSQL one replica at a time syncs (a transaction-scoped advisory lock, taken in the
//! batch's unit of work), so two replicas never send the same product's documents out of order.
//! SQLite has a single writer, and its units hold the write lock from their start: there the
//! batch is read and sent outside any unit, and only the removal of the indexed rows is one,
//! so writers never wait for the engine.

use super::SearchService;
use super::documents;
use super::queue;
use crate::error::ApiResult;
use crate::unit_of_work::Writer;
use entities::search_queue;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use std::sync::Arc;
use std::time::Duration;

/// Products per batch.
pub const BATCH: u64 = 256;
/// Pause between batches while the queue is non-empty: changes arriving meanwhile join the
/// next batch instead of costing an engine commit each.
const GATHER: Duration = Duration::from_millis(50);
/// How often the queue is checked when nobody signals.
const POLL: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The advisory lock key of the sync on PostgreSQL ("search" in ASCII).
const SYNC_LOCK_KEY: i64 = 0x7365_6172_6368;

pub struct SearchSync {
    writer: Writer,
    search: Arc<SearchService>,
}

impl SearchSync {
    pub fn new(writer: Writer, search: Arc<SearchService>) -> Self {
        Self { writer, search }
    }

    /// Syncs until `shutdown` resolves.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut failures = 0u32;
        loop {
            let pause = match self.sync_batch().await {
                Ok(n) if n as u64 >= BATCH => GATHER,
                Ok(n) => {
                    if failures > 0 {
                        tracing::info!("search engine reachable again; index catching up");
                    }
                    failures = 0;
                    if n > 0 { GATHER } else { POLL }
                }
                Err(err) => {
                    failures = failures.saturating_add(1);
                    self.search.stats.sync_failed();
                    let backoff = Duration::from_millis(200)
                        .saturating_mul(2u32.saturating_pow(failures.min(8)))
                        .min(MAX_BACKOFF);
                    tracing::warn!(error = %err, retry_in_ms = backoff.as_millis() as u64, "search sync failed; retrying");
                    backoff
                }
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = self.search.queued.notified(), if pause != GATHER && failures == 0 => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Indexes one batch; returns how many queued products it took.
    pub async fn sync_batch(&self) -> ApiResult<usize> {
        let db = self.writer.db();
        if db.get_database_backend() != DatabaseBackend::Postgres {
            let rows = self.send_batch(db).await?;
            if !rows.is_empty() {
                let write = self.writer.begin().await?;
                queue::done(write.txn(), &rows).await?;
                write.commit().await?;
            }
            return Ok(self.synced(&rows));
        }
        let write = self.writer.begin().await?;
        let txn = write.txn();
        let locked = txn
            .query_one_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_try_advisory_xact_lock($1) AS locked",
                [SYNC_LOCK_KEY.into()],
            ))
            .await?
            .and_then(|row| row.try_get::<bool>("", "locked").ok())
            .unwrap_or(false);
        if !locked {
            // Another replica is syncing; it will get to these rows.
            return Ok(0);
        }
        let rows = self.send_batch(txn).await?;
        queue::done(txn, &rows).await?;
        write.commit().await?;
        Ok(self.synced(&rows))
    }

    /// Takes a batch from the queue and sends its documents to the engine; returns the rows
    /// taken, for the caller to remove.
    async fn send_batch(&self, db: &impl ConnectionTrait) -> ApiResult<Vec<search_queue::Model>> {
        let rows = queue::take(db, BATCH).await?;
        if rows.is_empty() {
            return Ok(rows);
        }
        let engine = |e: super::SearchError| crate::error::ApiError::Internal(e.to_string());
        self.search.ensure_prepared().await.map_err(engine)?;
        let ids: Vec<_> = rows.iter().map(|row| row.product_id).collect();
        let batch = documents::build(db, &ids).await?;
        self.search
            .backend
            .apply(&batch.documents, &batch.removed)
            .await
            .map_err(engine)?;
        Ok(rows)
    }

    fn synced(&self, rows: &[search_queue::Model]) -> usize {
        if !rows.is_empty() {
            self.search.stats.synced(rows.len());
        }
        rows.len()
    }
}
