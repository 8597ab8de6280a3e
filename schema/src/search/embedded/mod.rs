//! The embedded search engine (tantivy), the default when no Meilisearch is configured.
//!
//! On disk, under the index directory: one folder per index *generation* and a `CURRENT`
//! file naming the live one. A rebuild (`shopgraph reindex`, possibly another process)
//! writes a new generation aside and then replaces `CURRENT` atomically (write + rename);
//! every server checks `CURRENT` once a second and switches, so searches never see a
//! half-built index. The index is per process: replicas that must share one index use
//! Meilisearch.

mod facets;
mod fields;
mod query;
mod written;

use super::backend::{
    FacetCounts, FacetKind, IndexBuild, ProductDocument, SearchBackend, SearchError, SearchHit,
    SearchRequest, SearchResult, SearchResults, SortKey,
};
use super::highlight::highlight;
use facets::FacetCounter;
use fields::{Fields, names, register_analyzer};
use futures_util::future::BoxFuture;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};
use uuid::Uuid;
use written::Written;

/// Memory for the live writer: small, since sync batches are small.
const LIVE_WRITER_BYTES: usize = 20_000_000;
/// Memory per thread for rebuilds, which index the whole catalog.
const REBUILD_WRITER_BYTES: usize = 100_000_000;
/// How often `CURRENT` is checked for a generation switched by another process.
pub const GENERATION_CHECK: Duration = Duration::from_secs(1);

pub struct TantivyBackend {
    root: PathBuf,
    fields: Fields,
    /// `None` in a process that only rebuilds.
    live: RwLock<Option<Arc<LiveIndex>>>,
    /// Searches running at once: one per core. Each search runs on a blocking thread; left
    /// unbounded, 64 concurrent shoppers meant 64 threads, each allocating from its own
    /// allocator arena, and the process grew from ~56 to over 300 MiB under search load
    /// without searching any faster (the cores were already busy).
    searching: tokio::sync::Semaphore,
}

/// How many searches may run at once: the cores this process may use.
fn search_slots() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

struct LiveIndex {
    generation: String,
    reader: IndexReader,
    writer: Mutex<LiveWriter>,
}

/// The live index's writer, and what it wrote (so unchanged documents are not written again).
struct LiveWriter {
    index: IndexWriter,
    written: Written,
}

fn engine(err: impl std::fmt::Display) -> SearchError {
    SearchError::Engine(err.to_string())
}

impl TantivyBackend {
    /// Opens the live generation under `root` for serving (searching and syncing), creating
    /// an empty one when there is none or when it is unreadable (written with another schema).
    /// Fails when another process holds it: one process per index directory.
    pub fn open(root: impl Into<PathBuf>) -> SearchResult<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(engine)?;
        let (_, fields) = Fields::schema();
        let live = match current_generation(&root) {
            Some(generation) => match open_index(&root, &generation, false) {
                Ok(index) => live_index(index, &generation, &root)?,
                Err(err) => {
                    tracing::warn!(%generation, error = %err, "search index unusable; starting an empty one");
                    new_live(&root)?
                }
            },
            None => new_live(&root)?,
        };
        // Generations left by rebuilds while no server was running.
        remove_old_generations(&root, &live.generation);
        Ok(Self {
            root,
            fields,
            live: RwLock::new(Some(Arc::new(live))),
            searching: tokio::sync::Semaphore::new(search_slots()),
        })
    }

    /// A handle that only builds new generations (`shopgraph reindex`): it never opens the
    /// live one, which a running server holds.
    pub fn for_rebuild(root: impl Into<PathBuf>) -> SearchResult<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(engine)?;
        let (_, fields) = Fields::schema();
        Ok(Self {
            root,
            fields,
            live: RwLock::new(None),
            searching: tokio::sync::Semaphore::new(search_slots()),
        })
    }

    fn live(&self) -> SearchResult<Arc<LiveIndex>> {
        let slot = match self.live.read() {
            Ok(live) => live.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        slot.ok_or_else(|| SearchError::Engine("this process only rebuilds the index".into()))
    }

    /// Switches to the generation `CURRENT` names if a rebuild replaced it, and removes the
    /// generations before it. Blocking (file reads); call it from a blocking thread.
    pub fn follow_switches(&self) -> SearchResult<bool> {
        let Some(generation) = current_generation(&self.root) else {
            return Ok(false);
        };
        let Ok(current) = self.live() else {
            return Ok(false);
        };
        if generation == current.generation {
            return Ok(false);
        }
        let index = open_index(&self.root, &generation, false)?;
        let live = live_index(index, &generation, &self.root)?;
        match self.live.write() {
            Ok(mut slot) => *slot = Some(Arc::new(live)),
            Err(poisoned) => *poisoned.into_inner() = Some(Arc::new(live)),
        }
        drop(current);
        remove_old_generations(&self.root, &generation);
        tracing::info!(%generation, "switched to a rebuilt search index");
        Ok(true)
    }

    fn apply_blocking(&self, upserts: &[ProductDocument], deleted: &[Uuid]) -> SearchResult<()> {
        let live = self.live()?;
        let mut writer = live.writer.lock().map_err(engine)?;
        let LiveWriter { index, written } = &mut *writer;
        let changed = written.changed(upserts);
        if changed.is_empty() && deleted.is_empty() {
            return Ok(());
        }
        if let Err(err) = self.write(index, &changed, deleted) {
            // Drop what the failed write left pending: a later commit must not carry out its
            // deletions without its additions, while the fingerprints (recorded only after a
            // commit) still say those documents are in the index.
            if let Err(rollback) = index.rollback() {
                tracing::warn!(error = %rollback, "could not roll back a failed search index write");
            }
            return Err(err);
        }
        written.record(&changed, deleted);
        live.reader.reload().map_err(engine)?;
        Ok(())
    }

    /// Replaces the `changed` documents, removes the `deleted` ones, and commits.
    fn write(
        &self,
        index: &mut IndexWriter,
        changed: &[(&ProductDocument, u64)],
        deleted: &[Uuid],
    ) -> SearchResult<()> {
        for id in deleted.iter().chain(changed.iter().map(|(d, _)| &d.id)) {
            index.delete_term(Term::from_field_text(self.fields.id, &id.to_string()));
        }
        for (doc, _) in changed {
            index
                .add_document(self.fields.to_document(doc))
                .map_err(engine)?;
        }
        index.commit().map_err(engine)?;
        Ok(())
    }

    fn search_blocking(&self, request: &SearchRequest) -> SearchResult<SearchResults> {
        let started = Instant::now();
        let searcher = self.live()?.reader.searcher();
        let query = query::build(&self.fields, request);
        let facet_fields: Vec<String> = request
            .facets
            .iter()
            .map(|kind| facet_field(*kind, request))
            .collect();
        let facets = FacetCounter {
            fields: facet_fields,
        };
        // TopDocs needs room for one document; a facets-only request (limit 0) drops it.
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset);
        let order = if request.reverse {
            Order::Desc
        } else {
            Order::Asc
        };
        let (mut addresses, total, counts) = match request.sort {
            SortKey::Relevance => {
                // Equal scores (an empty query scores everything alike): more popular first.
                let top = top.tweak_score(|segment: &tantivy::SegmentReader| {
                    let popularity = segment
                        .fast_fields()
                        .i64(names::POPULARITY)
                        .ok()
                        .map(|column| column.first_or_default_col(0));
                    move |doc: tantivy::DocId, score: tantivy::Score| {
                        (score, popularity.as_ref().map_or(0, |c| c.get_val(doc)))
                    }
                });
                collect(&searcher, &*query, top, facets)?
            }
            SortKey::Price => {
                let field = names::price_min(request.currency.as_str());
                let top = top.order_by_fast_field::<i64>(field, order);
                collect(&searcher, &*query, top, facets)?
            }
            SortKey::Created => {
                let top = top.order_by_fast_field::<i64>(names::CREATED_AT, order);
                collect(&searcher, &*query, top, facets)?
            }
        };
        addresses.truncate(request.limit);
        let words = query::words(&request.text);
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(engine)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let Ok(product_id) = Uuid::parse_str(&text(self.fields.id)) else {
                continue;
            };
            let name = text(self.fields.name);
            let description = text(self.fields.description);
            let highlights = [
                highlight("name", &name, &words, false),
                highlight("description", &description, &words, true),
            ]
            .into_iter()
            .flatten()
            .collect();
            hits.push(SearchHit {
                product_id,
                name,
                highlights,
            });
        }
        let facets = request
            .facets
            .iter()
            .zip(counts)
            .map(|(kind, counts)| FacetCounts {
                kind: *kind,
                values: ranked(counts),
            })
            .collect();
        Ok(SearchResults {
            hits,
            total_hits: total,
            facets,
            processing_time_ms: started.elapsed().as_millis() as u64,
        })
    }
}

/// Runs `top` (any ordering), the count and the facet counts in one pass.
fn collect<K>(
    searcher: &Searcher,
    query: &dyn Query,
    top: impl Collector<Fruit = Vec<(K, DocAddress)>>,
    facets: FacetCounter,
) -> SearchResult<(Vec<DocAddress>, usize, facets::FacetFruit)> {
    let (top, (total, counts)) = searcher
        .search(query, &(top, (Count, facets)))
        .map_err(engine)?;
    Ok((top.into_iter().map(|(_, a)| a).collect(), total, counts))
}

fn facet_field(kind: FacetKind, request: &SearchRequest) -> String {
    match kind {
        FacetKind::Category => names::CATEGORY_IDS.to_owned(),
        FacetKind::Brand => names::BRAND_FACET.to_owned(),
        FacetKind::PriceRange => names::price_bucket(request.currency.as_str()),
        FacetKind::InStock => names::IN_STOCK.to_owned(),
    }
}

/// Most frequent first, ties by value, so results are stable.
pub fn ranked(counts: std::collections::HashMap<String, usize>) -> Vec<(String, usize)> {
    let mut values: Vec<(String, usize)> = counts.into_iter().filter(|(_, n)| *n > 0).collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    values
}

fn current_generation(root: &Path) -> Option<String> {
    let name = std::fs::read_to_string(root.join("CURRENT")).ok()?;
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// Names `generation` as the live one: written aside and renamed, so readers see the old
/// name or the new one, never a partial write.
fn set_current_generation(root: &Path, generation: &str) -> SearchResult<()> {
    let staged = root.join("CURRENT.next");
    std::fs::write(&staged, generation).map_err(engine)?;
    std::fs::rename(&staged, root.join("CURRENT")).map_err(engine)
}

fn new_generation_name() -> String {
    format!("gen-{}", Uuid::now_v7().simple())
}

/// Creates or opens the generation folder as an index with our schema and analyzer.
fn open_index(root: &Path, generation: &str, create: bool) -> SearchResult<Index> {
    let path = root.join(generation);
    if create {
        std::fs::create_dir_all(&path).map_err(engine)?;
    }
    let directory = MmapDirectory::open(&path).map_err(engine)?;
    let (schema, _) = Fields::schema();
    let index = if create {
        Index::create(directory, schema, Default::default()).map_err(engine)?
    } else {
        let index = Index::open(directory).map_err(engine)?;
        if index.schema() != schema {
            return Err(SearchError::Engine(format!(
                "{generation} was written with another schema"
            )));
        }
        index
    };
    register_analyzer(&index);
    Ok(index)
}

fn new_live(root: &Path) -> SearchResult<LiveIndex> {
    let generation = new_generation_name();
    let index = open_index(root, &generation, true)?;
    set_current_generation(root, &generation)?;
    live_index(index, &generation, root)
}

fn live_index(index: Index, generation: &str, root: &Path) -> SearchResult<LiveIndex> {
    let writer = index
        .writer_with_num_threads(1, LIVE_WRITER_BYTES)
        .map_err(|err| match err {
            tantivy::TantivyError::LockFailure(..) => SearchError::Engine(format!(
                "another process serves the search index in {}: give each process its own \
                 SEARCH_INDEX_DIR, or share Meilisearch",
                root.display()
            )),
            err => engine(err),
        })?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(engine)?;
    Ok(LiveIndex {
        generation: generation.to_owned(),
        reader,
        writer: Mutex::new(LiveWriter {
            index: writer,
            written: Written::default(),
        }),
    })
}

/// Blocking tantivy work on the blocking pool, so async workers keep serving.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> SearchResult<T> + Send + 'static,
) -> SearchResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| SearchError::Engine(format!("search task failed: {e}")))?
}

/// The backend behind an `Arc`, so blocking closures can own a handle to it.
#[derive(Clone)]
pub struct SharedTantivy(pub Arc<TantivyBackend>);

impl SearchBackend for SharedTantivy {
    fn name(&self) -> &'static str {
        "tantivy"
    }

    fn prepare(&self) -> BoxFuture<'_, SearchResult<()>> {
        Box::pin(async { Ok(()) })
    }

    fn document_count(&self) -> BoxFuture<'_, SearchResult<u64>> {
        let backend = self.0.clone();
        Box::pin(blocking(move || {
            Ok(backend.live()?.reader.searcher().num_docs())
        }))
    }

    fn apply<'a>(
        &'a self,
        upserts: &'a [ProductDocument],
        deleted: &'a [Uuid],
    ) -> BoxFuture<'a, SearchResult<()>> {
        let backend = self.0.clone();
        let (upserts, deleted) = (upserts.to_vec(), deleted.to_vec());
        Box::pin(blocking(move || backend.apply_blocking(&upserts, &deleted)))
    }

    fn search<'a>(
        &'a self,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, SearchResult<SearchResults>> {
        let backend = self.0.clone();
        let request = request.clone();
        Box::pin(async move {
            let _slot = self
                .0
                .searching
                .acquire()
                .await
                .map_err(|_| SearchError::Engine("the search engine is closing".into()))?;
            blocking(move || backend.search_blocking(&request)).await
        })
    }

    fn suggest<'a>(
        &'a self,
        prefix: &'a str,
        limit: usize,
    ) -> BoxFuture<'a, SearchResult<Vec<String>>> {
        Box::pin(async move {
            let request = super::suggestion_request(prefix, limit);
            let results = self.search(&request).await?;
            Ok(super::distinct_names(results.hits, limit))
        })
    }

    fn begin_rebuild(&self) -> BoxFuture<'_, SearchResult<Box<dyn IndexBuild>>> {
        let backend = self.0.clone();
        Box::pin(blocking(move || {
            let generation = new_generation_name();
            let index = open_index(&backend.root, &generation, true)?;
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
            let writer = index
                .writer_with_num_threads(threads, REBUILD_WRITER_BYTES * threads)
                .map_err(engine)?;
            let build: Box<dyn IndexBuild> = Box::new(TantivyBuild {
                root: backend.root.clone(),
                generation,
                fields: backend.fields.clone(),
                writer: Arc::new(Mutex::new(writer)),
            });
            Ok(build)
        }))
    }

    fn health(&self) -> BoxFuture<'_, SearchResult<()>> {
        let backend = self.0.clone();
        Box::pin(blocking(move || {
            // Readable index files are what searching needs.
            backend.live()?.reader.searcher();
            Ok(())
        }))
    }
}

/// A rebuild writing a new generation beside the live one.
struct TantivyBuild {
    root: PathBuf,
    generation: String,
    fields: Fields,
    writer: Arc<Mutex<IndexWriter>>,
}

impl IndexBuild for TantivyBuild {
    fn add<'a>(&'a mut self, documents: &'a [ProductDocument]) -> BoxFuture<'a, SearchResult<()>> {
        let writer = self.writer.clone();
        let docs: Vec<TantivyDocument> = documents
            .iter()
            .map(|d| self.fields.to_document(d))
            .collect();
        Box::pin(blocking(move || {
            let writer = writer.lock().map_err(engine)?;
            for doc in docs {
                writer.add_document(doc).map_err(engine)?;
            }
            Ok(())
        }))
    }

    fn finish(self: Box<Self>) -> BoxFuture<'static, SearchResult<()>> {
        Box::pin(blocking(move || {
            let writer = Arc::try_unwrap(self.writer)
                .map_err(|_| SearchError::Engine("rebuild writer still in use".into()))?
                .into_inner()
                .map_err(engine)?;
            let mut writer = writer;
            writer.commit().map_err(engine)?;
            writer.wait_merging_threads().map_err(engine)?;
            // The server following the switch removes the old generation once it stopped
            // using it (or the next start does, if none runs).
            set_current_generation(&self.root, &self.generation)
        }))
    }
}

/// Deletes the generations older than `keep`. Servers still reading an old one keep their open
/// files (unlinked files stay readable) until they switch.
fn remove_old_generations(root: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Names carry a UUIDv7, so they sort by creation: newer ones (a rebuild in progress)
        // are left alone.
        if name.starts_with("gen-")
            && *name < *keep
            && let Err(err) = std::fs::remove_dir_all(entry.path())
        {
            tracing::warn!(generation = %name, error = %err, "could not remove an old search index");
        }
    }
}
