//! Full rebuilds: every ACTIVE product into a new index that replaces the live one in one
//! switch, then a replay of the changes made while it was being built.

use super::SearchService;
use super::documents;
use super::queue;
use crate::common::clock::now;
use crate::error::{ApiError, ApiResult};
use crate::unit_of_work::Writer;
use sea_orm::DatabaseConnection;
use std::time::{Duration, Instant};

/// Products read and sent per batch.
const PAGE: u64 = 1_000;

#[derive(Clone, Copy, Debug)]
pub struct RebuildSummary {
    pub products: u64,
    pub elapsed: Duration,
    /// Products queued again because they changed during the rebuild.
    pub replayed: usize,
}

/// Rebuilds the index. `progress(done, total)` is called after every batch. `settle` is how
/// long to wait after the switch before replaying, so servers following the switch (tantivy
/// checks once a second) write their next changes to the new index.
pub async fn rebuild(
    writer: &Writer,
    search: &SearchService,
    settle: Duration,
    mut progress: impl FnMut(u64, u64),
) -> ApiResult<RebuildSummary> {
    let started = Instant::now();
    let db = writer.db();
    // A little before now: events recorded just before the start may not be indexed yet.
    let since = now() - chrono::Duration::seconds(5);
    let total = documents::active_count(db).await?;
    let engine = |e: super::SearchError| ApiError::Internal(e.to_string());
    let mut build = search.backend.begin_rebuild().await.map_err(engine)?;
    let (mut done, mut after) = (0u64, None);
    loop {
        let page = documents::active_page(db, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        build.add(&page).await.map_err(engine)?;
        done += page.len() as u64;
        progress(done, total);
    }
    build.finish().await.map_err(engine)?;
    tokio::time::sleep(settle).await;
    let write = writer.begin().await?;
    let replayed = queue::requeue_since(write.txn(), since).await?;
    write.commit().await?;
    search.queued.notify_one();
    Ok(RebuildSummary {
        products: done,
        elapsed: started.elapsed(),
        replayed,
    })
}

/// At start: an empty index over a non-empty catalog (first start, or a new engine) is
/// filled directly, so search works without a manual `reindex`.
pub async fn fill_if_empty(db: &DatabaseConnection, search: &SearchService) -> ApiResult<u64> {
    let engine = |e: super::SearchError| ApiError::Internal(e.to_string());
    if search.backend.document_count().await.map_err(engine)? > 0 {
        return Ok(0);
    }
    index_all(db, search).await
}

/// Adds or replaces the documents of every ACTIVE product in the live index, page by page.
/// Returns how many were indexed.
pub async fn index_all(db: &DatabaseConnection, search: &SearchService) -> ApiResult<u64> {
    let engine = |e: super::SearchError| ApiError::Internal(e.to_string());
    let (mut done, mut after) = (0u64, None);
    loop {
        let page = documents::active_page(db, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        search.backend.apply(&page, &[]).await.map_err(engine)?;
        done += page.len() as u64;
    }
    Ok(done)
}
