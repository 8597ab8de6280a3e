//! Wiring of the search engine: which one (Meilisearch when `MEILISEARCH_URL` is set,
//! otherwise the embedded tantivy index), its preparation at start, and its background
//! tasks (the sync, first fill, following rebuilds made by other processes).

use crate::config::Config;
use anyhow::Context as _;
use schema::search::embedded::{GENERATION_CHECK, SharedTantivy, TantivyBackend};
use schema::search::meili::MeiliBackend;
use schema::search::sync::SearchSync;
use schema::search::{SearchBackend, SearchService, rebuild};
use schema::unit_of_work::Writer;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// What a process does with the index: serve it (search and sync), or only rebuild it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Serve,
    Rebuild,
}

/// The configured engine, opened but not yet asked anything.
pub struct Opened {
    backend: Arc<dyn SearchBackend>,
    embedded: Option<Arc<TantivyBackend>>,
}

/// Opens the configured engine without talking to it: a malformed Meilisearch setting or an
/// unusable index directory stops the start here, before the database is connected.
pub fn open(config: &Config, role: Role) -> anyhow::Result<Opened> {
    let (backend, embedded): (Arc<dyn SearchBackend>, _) = match config.search.meilisearch() {
        Some(url) => {
            let backend = MeiliBackend::new(
                url,
                config.search.meilisearch_api_key.as_deref(),
                &config.search.meilisearch_index,
            )
            .map_err(|e| anyhow::anyhow!("MEILISEARCH_URL: {e}"))?;
            (Arc::new(backend), None)
        }
        None => {
            let dir = config.search_index_dir();
            let opened = match role {
                Role::Serve => TantivyBackend::open(&dir),
                // The live generation belongs to the server; a rebuild only writes a new one.
                Role::Rebuild => TantivyBackend::for_rebuild(&dir),
            };
            let tantivy = Arc::new(
                opened
                    .map_err(|e| anyhow::anyhow!("{e}"))
                    .with_context(|| format!("opening the search index in {}", dir.display()))?,
            );
            (Arc::new(SharedTantivy(tantivy.clone())), Some(tantivy))
        }
    };
    Ok(Opened { backend, embedded })
}

impl Opened {
    /// The engine with its settings applied. A Meilisearch that does not answer at start is
    /// not fatal: the settings are applied again when the sync first succeeds, and `/readyz`
    /// reports it meanwhile. With the embedded index, for the task following rebuilds.
    pub async fn prepare(self) -> (Arc<SearchService>, Option<Arc<TantivyBackend>>) {
        let search = SearchService::new(self.backend);
        match search.ensure_prepared().await {
            Ok(()) => tracing::info!(engine = search.backend.name(), "search index ready"),
            Err(err) => {
                tracing::warn!(engine = search.backend.name(), error = %err, "search engine not ready at start")
            }
        }
        (search, self.embedded)
    }
}

/// [`open`], then [`Opened::prepare`].
pub async fn connect(
    config: &Config,
    role: Role,
) -> anyhow::Result<(Arc<SearchService>, Option<Arc<TantivyBackend>>)> {
    Ok(open(config, role)?.prepare().await)
}

/// Starts the background work of search: first fill of an empty index, the sync (when
/// `sync`, see SEARCH_SYNC), and (for the embedded index) following rebuilds switched by
/// `shopgraph reindex`.
pub fn spawn_background(
    sync: bool,
    writer: Writer,
    search: Arc<SearchService>,
    embedded: Option<Arc<TantivyBackend>>,
    tasks: &TaskTracker,
    stop: CancellationToken,
) {
    if let Some(tantivy) = embedded {
        let stop = stop.clone();
        tasks.spawn(async move {
            loop {
                tokio::select! {
                    () = stop.cancelled() => break,
                    () = tokio::time::sleep(GENERATION_CHECK) => {}
                }
                let tantivy = tantivy.clone();
                match tokio::task::spawn_blocking(move || tantivy.follow_switches()).await {
                    Ok(Err(err)) => {
                        tracing::warn!(error = %err, "could not switch to a rebuilt search index")
                    }
                    Err(err) => tracing::warn!(error = %err, "search index watcher failed"),
                    Ok(Ok(_)) => {}
                }
            }
        });
    }
    if !sync {
        return;
    }
    tasks.spawn(async move {
        match rebuild::fill_if_empty(writer.db(), &search).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(products = n, "filled the empty search index"),
            Err(err) => tracing::warn!(error = %err, "filling the empty search index failed; the sync and `shopgraph reindex` can fill it"),
        }
        SearchSync::new(writer, search).run(stop.cancelled_owned()).await
    });
}
