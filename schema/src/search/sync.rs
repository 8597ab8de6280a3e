//! The search sync: drains the search queue into the engine, in batches, in the background.
//!
//! A batch is: take the oldest queued products, build their documents from the database,
//! send them to the engine, and remove the rows that did not change meanwhile. When the
//! engine is down the batch fails and is retried with backoff; nothing else waits for it.
//! On PostgreSQL one replica at a time syncs (a transaction-scoped advisory lock), so two
//! replicas never send the same product's documents out of order.

use super::SearchService;
use super::documents;
use super::queue;
use crate::error::ApiResult;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, TransactionTrait};
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
    db: DatabaseConnection,
    search: Arc<SearchService>,
}

impl SearchSync {
    pub fn new(db: DatabaseConnection, search: Arc<SearchService>) -> Self {
        Self { db, search }
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
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            return self.sync_batch_on(&self.db).await;
        }
        let txn = self.db.begin().await?;
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
        let taken = self.sync_batch_on(&txn).await?;
        txn.commit().await?;
        Ok(taken)
    }

    async fn sync_batch_on(&self, db: &impl ConnectionTrait) -> ApiResult<usize> {
        let rows = queue::take(db, BATCH).await?;
        if rows.is_empty() {
            return Ok(0);
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
        queue::done(db, &rows).await?;
        self.search.stats.synced(rows.len());
        Ok(rows.len())
    }
}
