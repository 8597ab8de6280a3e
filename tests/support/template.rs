//! Template databases: migrating, seeding and indexing a catalog is most of what starting a
//! test server costs, and every test with the same backend and catalog size would do the same
//! work. So it is done once per test binary run per (backend, product count), into a
//! template that each test copies: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on
//! PostgreSQL, plus a copy of the search index built with it.
//!
//! Templates outlive no run for long: a test binary cannot run code when it exits, so each
//! template is named after the process that made it (pid and start time) and the first
//! template a run builds removes those of processes that are gone. `.ci/run` does the same
//! when it ends.

use super::database::Backend;
use anyhow::Context as _;
use sea_orm::{ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, Statement};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::OnceCell;

/// Prefix of template database names; `.ci/run` matches it too.
const PG_PREFIX: &str = "shopgraph_tpl_";
/// Prefix of the directory holding this run's SQLite templates and search indexes.
const DIR_PREFIX: &str = "shopgraph-tpl-";

/// A migrated (and, with products, seeded and indexed) database to copy.
pub struct Template {
    pub source: Source,
    /// The embedded search index of its catalog; `None` for an empty catalog (a server
    /// starts an empty index by itself).
    pub search_dir: Option<PathBuf>,
}

pub enum Source {
    /// An SQLite file nobody has open.
    File(PathBuf),
    /// A PostgreSQL database nobody is connected to, on the server of `admin_url`.
    Database { admin_url: String, name: String },
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Sqlite(usize),
    Postgres(String, usize),
}

type Slot = Arc<OnceCell<Arc<Template>>>;

/// The template for `backend` with `products` demo products, built on first use.
///
/// Built on a thread and runtime of its own: tests run on separate runtimes, and a pool made
/// on one test's runtime would break once that test ended. Every connection of the build is
/// closed before it returns, as PostgreSQL copies only a database nobody is connected to.
pub async fn get(backend: &Backend, products: usize) -> anyhow::Result<Arc<Template>> {
    static SLOTS: OnceLock<Mutex<HashMap<Key, Slot>>> = OnceLock::new();
    let key = match backend {
        Backend::Sqlite => Key::Sqlite(products),
        Backend::Postgres(admin_url) => Key::Postgres(admin_url.clone(), products),
    };
    let slot = {
        let mut slots = SLOTS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slots.entry(key.clone()).or_default().clone()
    };
    // A failed build leaves the cell empty: the next test tries again.
    let template = slot
        .get_or_try_init(|| async move { build_on_own_thread(key).await.map(Arc::new) })
        .await?;
    Ok(template.clone())
}

async fn build_on_own_thread(key: Key) -> anyhow::Result<Template> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("template-build".into())
        .spawn(move || {
            let built = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|runtime| runtime.block_on(build(key)));
            let _ = tx.send(built);
        })?;
    rx.await
        .context("the template build thread ended without an answer")?
}

async fn build(key: Key) -> anyhow::Result<Template> {
    remove_stale_templates_once(&key).await;
    let dir = run_dir()?;
    match key {
        Key::Sqlite(products) => {
            // Built in one file, then written compactly into another with VACUUM INTO: the
            // template is then one self-contained file (no WAL beside it) nobody has open.
            let building = dir.join(format!("building-{products}.db"));
            let file = dir.join(format!("catalog-{products}.db"));
            let url = format!("sqlite://{}?mode=rwc", building.display());
            let db = connect(&url).await?;
            let search_dir = fill(&db, products, &dir, "sqlite").await?;
            db.execute_unprepared(&format!("VACUUM INTO '{}'", file.display()))
                .await
                .context("writing the SQLite template")?;
            db.close().await?;
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
            }
            Ok(Template {
                source: Source::File(file),
                search_dir,
            })
        }
        Key::Postgres(admin_url, products) => {
            let name = format!(
                "{PG_PREFIX}{}_{}_{products}",
                std::process::id(),
                start_time(std::process::id()).unwrap_or(0)
            );
            let admin = Database::connect(admin_url.as_str()).await?;
            // Left by an earlier attempt of this run that failed half-way.
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            admin.close().await?;
            let db = connect(&super::database::with_database_name(&admin_url, &name)).await?;
            let search_dir = fill(&db, products, &dir, "postgres").await?;
            db.close().await?;
            Ok(Template {
                source: Source::Database { admin_url, name },
                search_dir,
            })
        }
    }
}

async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let metrics = Arc::new(shopgraph::metrics::Metrics::new());
    shopgraph::db::connect(url, 2, metrics).await
}

/// Migrates, seeds `products` demo products and indexes them into a search index of their
/// own, as a server started on a seeded database would; returns that index's directory.
async fn fill(
    db: &DatabaseConnection,
    products: usize,
    dir: &Path,
    backend: &str,
) -> anyhow::Result<Option<PathBuf>> {
    shopgraph::db::migrate(db).await?;
    if products == 0 {
        return Ok(None);
    }
    // Seeding records no events; the hub is only what a unit of work needs to exist.
    let hub = Arc::new(schema::events::EventHub::new(1, None));
    let writer = schema::unit_of_work::Writer::new(db.clone(), hub);
    shopgraph::seed::seed_demo_catalog(&writer, products).await?;
    let search_dir = dir.join(format!("search-{backend}-{products}"));
    let _ = std::fs::remove_dir_all(&search_dir);
    let tantivy = Arc::new(
        schema::search::embedded::TantivyBackend::open(&search_dir)
            .map_err(|e| anyhow::anyhow!("opening the template's search index: {e}"))?,
    );
    let search = schema::search::SearchService::new(Arc::new(
        schema::search::embedded::SharedTantivy(tantivy.clone()),
    ));
    schema::search::rebuild::index_all(db, &search).await?;
    // Every change is committed; dropping the last handle releases the index's writer lock,
    // so copies open as any server's own index.
    drop(search);
    drop(tantivy);
    Ok(Some(search_dir))
}

/// This run's directory for SQLite templates and search indexes.
fn run_dir() -> anyhow::Result<PathBuf> {
    let pid = std::process::id();
    let dir = std::env::temp_dir().join(format!(
        "{DIR_PREFIX}{pid}-{}",
        start_time(pid).unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Copies a directory tree (a search index: a few small files).
pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Serialises `CREATE DATABASE … TEMPLATE`: PostgreSQL refuses to copy a database another
/// session is using, and two copies running at once can be that for each other.
pub async fn create_database_from(
    admin_url: &str,
    template: &str,
    name: &str,
) -> anyhow::Result<()> {
    static COPYING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let admin = Database::connect(admin_url).await?;
    let created = async {
        let _turn = COPYING.lock().await;
        let mut attempt = 0;
        loop {
            let sql = format!("CREATE DATABASE {name} TEMPLATE {template}");
            match admin.execute_unprepared(&sql).await {
                Ok(_) => return Ok(()),
                // A session of the build (or of another copy) that is still closing.
                Err(err)
                    if err.to_string().contains("being accessed by other users")
                        && attempt < 50 =>
                {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => {
                    return Err(anyhow::Error::from(err).context(format!("copying {template}")));
                }
            }
        }
    }
    .await;
    let _ = admin.close().await;
    created
}

/// The start time of process `pid` (clock ticks after boot), from `/proc`: with the pid it
/// names one process, even after the pid is reused. `None` where there is no `/proc`.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: fields are counted after
    // its closing parenthesis, where field 3 begins; the start time is field 22.
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Whether a template named after `pid` and `started` belongs to a process that is gone.
fn is_stale(pid: u32, started: u64) -> bool {
    if start_time(std::process::id()).is_none() {
        // No `/proc`: nothing can be told apart, so nothing is removed.
        return false;
    }
    start_time(pid) != Some(started)
}

/// `<pid>_<start>_…` (or with dashes) → (pid, start).
fn owner(rest: &str, separator: char) -> Option<(u32, u64)> {
    let mut parts = rest.split(separator);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Removes the templates of earlier runs that are over (crashed or finished), once per run.
async fn remove_stale_templates_once(key: &Key) {
    static SQLITE_DONE: AtomicBool = AtomicBool::new(false);
    static POSTGRES_DONE: AtomicBool = AtomicBool::new(false);
    if !SQLITE_DONE.swap(true, Ordering::SeqCst)
        && let Ok(entries) = std::fs::read_dir(std::env::temp_dir())
    {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some((pid, started)) = name.strip_prefix(DIR_PREFIX).and_then(|r| owner(r, '-'))
                && is_stale(pid, started)
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    if let Key::Postgres(admin_url, _) = key
        && !POSTGRES_DONE.swap(true, Ordering::SeqCst)
        && let Err(err) = remove_stale_databases(admin_url).await
    {
        eprintln!("could not remove stale template databases: {err:#}");
    }
}

async fn remove_stale_databases(admin_url: &str) -> anyhow::Result<()> {
    let admin = Database::connect(admin_url).await?;
    let rows = admin
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            format!("SELECT datname FROM pg_database WHERE datname LIKE '{PG_PREFIX}%'"),
        ))
        .await?;
    for row in rows {
        let name: String = row.try_get("", "datname")?;
        if let Some((pid, started)) = name.strip_prefix(PG_PREFIX).and_then(|r| owner(r, '_'))
            && is_stale(pid, started)
        {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await?;
        }
    }
    admin.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_its_start_is_read() {
        let pid = std::process::id();
        if let Some(started) = start_time(pid) {
            assert!(!is_stale(pid, started));
            assert!(is_stale(pid, started + 1), "another process with this pid");
        }
        assert_eq!(owner("123_456_80", '_'), Some((123, 456)));
        assert_eq!(owner("123-456", '-'), Some((123, 456)));
        assert_eq!(owner("x_1", '_'), None);
    }
}
