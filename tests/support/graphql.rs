//! A running test server and a small GraphQL client for it.

use super::database::{Backend, TestDatabase};
use super::endpoint::{Endpoint, GraphqlResponse};
use super::template;
use entities::outbox;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use shopgraph::app::App;
use shopgraph::config::Config;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

pub struct TestServer {
    /// Where the server listens, and a client for it (methods reach through `Deref`).
    pub endpoint: Endpoint,
    pub backend: Backend,
    pub app: shopgraph::state::ServerState,
    /// Where `/metrics` is served when not on the API port (production, `METRICS_BIND`).
    pub metrics_addr: Option<std::net::SocketAddr>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    // Dropped last: the server must stop before its database goes. Replicas share their
    // first server's database and own none.
    _database: Option<TestDatabase>,
    database_url: String,
    /// This server's embedded search index; removed when the server is dropped.
    search_dir: std::path::PathBuf,
    /// This server's DATA_DIR (where mail goes without SMTP_URL); removed when it is dropped.
    data_dir: std::path::PathBuf,
    /// Whether the outbox is checked when this server stops: only by the server that owns
    /// the database (once per database), and not after a crash.
    checks_outbox: bool,
    /// Why this test leaves events pending, when it does on purpose.
    pending_allowed: std::sync::OnceLock<&'static str>,
}

/// The relay's poll in tests (1 hour): see `serve`.
pub const RELAY_POLL_MS: u64 = 3_600_000;
/// How long the outbox check waits for the relay to publish what is pending.
const OUTBOX_DRAIN: Duration = Duration::from_secs(5);

impl TestServer {
    /// A server on a fresh database holding a demo catalog of `products` products.
    pub async fn with_catalog(backend: Backend, products: usize) -> anyhow::Result<Self> {
        Self::start(backend, products, |_| {}).await
    }

    /// Like `with_catalog`, with configuration changes applied first.
    ///
    /// The database and its search index are copies of this run's template for `backend`
    /// and `products` (see `template`): nothing in them depends on the configuration, which
    /// only the server reads.
    pub async fn start(
        backend: Backend,
        products: usize,
        configure: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Self> {
        let template = template::get(&backend, products).await?;
        let database = TestDatabase::copy_of(&template).await?;
        let mut server = Self::serve(
            backend,
            &database.url,
            template.search_dir.as_deref(),
            configure,
        )
        .await?;
        server._database = Some(database);
        server.checks_outbox = true;
        if products > 0 && server.app.app.search.backend.name() != "tantivy" {
            // The template's index is an embedded one: another engine gets the catalog now,
            // as a server starting on a seeded database would.
            server.index_catalog().await?;
        }
        Ok(server)
    }

    /// Another server process on this server's database, as a second replica would be.
    pub async fn replica(&self, configure: impl FnOnce(&mut Config)) -> anyhow::Result<Self> {
        Self::serve(self.backend.clone(), &self.database_url, None, configure).await
    }

    /// A server on `database_url`; its search index starts as a copy of `index` when given.
    async fn serve(
        backend: Backend,
        database_url: &str,
        index: Option<&std::path::Path>,
        configure: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Self> {
        let mut config = Config::with_database(database_url);
        config.database.seed_demo = false;
        config.database.database_max_connections = Some(8);
        // The embedded index unless a test asks for Meilisearch, whatever the environment.
        config.search.meilisearch_url = None;
        let search_dir = std::env::temp_dir().join(format!(
            "shopgraph-search-{}",
            uuid::Uuid::new_v4().simple()
        ));
        config.search.search_index_dir = Some(search_dir.clone());
        // Mail without SMTP_URL goes to DATA_DIR/mail: a directory of its own, never the
        // working directory's `data/`.
        let data_dir = search_dir.with_extension("data");
        config.data_dir = data_dir.clone();
        // Whatever the environment says: tests that want an SMTP server start their own.
        config.mail.smtp_url = None;
        // Most tests read right after a write, before the write's event can have dropped a
        // cached answer; the response cache has tests of its own that turn it on.
        config.cache.response_cache_entries = 0;
        // Every write wakes the relay, so events go out without the poll: an hour keeps the
        // poll from hiding a writer that forgets (the outbox check after each test finds its
        // events still pending). Tests of what only the poll picks up set their own.
        config.events.outbox_poll_ms = RELAY_POLL_MS;
        configure(&mut config);
        if let Some(index) = index
            && config.search.search_index_dir.as_deref() == Some(search_dir.as_path())
            && let Err(err) = template::copy_dir(index, &search_dir)
        {
            let _ = std::fs::remove_dir_all(&search_dir);
            return Err(anyhow::Error::from(err).context("copying the template's search index"));
        }
        if config.server.production && config.server.metrics_bind.is_none() {
            // Tests run side by side: production's fixed metrics port would be taken.
            config.server.metrics_bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        }
        // Bound first, so links the server hands out (`Cart.checkoutUrl`) name its real port.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        if config.public.public_url.is_none() {
            config.public.public_url = Some(format!("http://{addr}").parse()?);
        }
        let app = match App::build(&config).await {
            Ok(app) => app,
            // Tests of refused configurations: nothing runs, so clean up here.
            Err(err) => {
                let _ = std::fs::remove_dir_all(&search_dir);
                return Err(err.context("building the app"));
            }
        };
        let state = app.state.clone();
        let metrics_addr = app.metrics_addr();
        let (tx, rx) = oneshot::channel();
        let server = tokio::spawn(app.serve(listener, async {
            let _ = rx.await;
        }));
        Ok(Self {
            endpoint: Endpoint::new(addr),
            backend,
            app: state,
            metrics_addr,
            shutdown: Some(tx),
            server: Some(server),
            _database: None,
            database_url: database_url.to_owned(),
            search_dir,
            data_dir,
            checks_outbox: false,
            pending_allowed: std::sync::OnceLock::new(),
        })
    }

    /// The database this server (and its replicas) use.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// This server's DATA_DIR: without SMTP_URL its mail is in `mail/` there.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// This server's embedded search index directory.
    pub fn search_dir(&self) -> &std::path::Path {
        &self.search_dir
    }

    /// Indexes every product (for catalogs written around the services).
    pub async fn index_catalog(&self) -> anyhow::Result<()> {
        schema::search::rebuild::index_all(&self.app.app.db, &self.app.app.search).await?;
        Ok(())
    }

    /// Turns off the check that every event was published when the test ends, for a test
    /// that leaves events pending on purpose; `why` says why (e.g. "Redis stays down: the
    /// relay cannot publish").
    pub fn allow_pending_events(&self, why: &'static str) {
        let _ = self.pending_allowed.set(why);
    }

    /// Whether the outbox check is still to run; it runs once.
    fn take_outbox_check(&mut self) -> bool {
        std::mem::take(&mut self.checks_outbox) && self.pending_allowed.get().is_none()
    }

    /// Waits (a few seconds at most) until the outbox holds no unpublished event. Every
    /// writer wakes the relay, and the relay's poll is an hour: an event still pending is one
    /// a writer recorded without waking the relay.
    pub async fn outbox_drained(&self) -> anyhow::Result<()> {
        let db = &self.app.app.db;
        let pending = || outbox::Entity::find().filter(outbox::Column::PublishedAt.is_null());
        let deadline = Instant::now() + OUTBOX_DRAIN;
        loop {
            let count = pending().count(db).await?;
            if count == 0 {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let topics: Vec<String> = pending()
                    .order_by_asc(outbox::Column::CreatedAt)
                    .select_only()
                    .column(outbox::Column::Topic)
                    .limit(5)
                    .into_tuple()
                    .all(db)
                    .await?;
                anyhow::bail!(
                    "outbox check: {count} event(s) still unpublished {} s after the test \
                     (topics {topics:?}): a writer recorded them without waking the relay \
                     (a test that leaves events pending on purpose calls `allow_pending_events`)",
                    OUTBOX_DRAIN.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The audit check (`audit_check`), then `outbox_drained`, from `Drop`: blocks this thread while the test's runtime keeps
    /// running the server. `None` when that cannot be done (not on a multi-thread runtime).
    fn outbox_drained_blocking(&self) -> Option<anyhow::Result<()>> {
        let handle = tokio::runtime::Handle::try_current().ok()?;
        if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
            eprintln!("outbox check skipped: the server was dropped off a multi-thread runtime");
            return None;
        }
        Some(tokio::task::block_in_place(|| {
            handle.block_on(async {
                self.endpoint.audit.verify(&self.app.app.db).await?;
                self.outbox_drained().await
            })
        }))
    }

    /// Reads a `/graphql` answer (see `Endpoint::read`).
    pub async fn read(response: reqwest::Response) -> anyhow::Result<GraphqlResponse> {
        Endpoint::read(response).await
    }

    /// Stops serving at once, with no graceful shutdown: what `kill -9` leaves behind
    /// (committed rows, unpublished outbox events) stays as it is.
    pub fn crash(mut self) -> Crashed {
        // What a crash leaves pending is the point of crash tests: not checked.
        self.checks_outbox = false;
        if let Some(server) = self.server.take() {
            server.abort();
        }
        // Dropping the sender would start a graceful shutdown; a crash gives none.
        std::mem::forget(self.shutdown.take());
        Crashed {
            backend: self.backend.clone(),
            database_url: self.database_url.clone(),
            _database: self._database.take(),
        }
    }

    /// Stops the server gracefully and waits for it, after checking that its events were
    /// all published (see `outbox_drained`).
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if self.take_outbox_check() {
            self.endpoint.audit.verify(&self.app.app.db).await?;
            self.outbox_drained().await?;
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await??;
        }
        Ok(())
    }
}

/// What a crashed server leaves: its database, to restart on.
pub struct Crashed {
    backend: Backend,
    database_url: String,
    _database: Option<TestDatabase>,
}

impl Crashed {
    /// A new server process on the crashed one's database. Keep `self` alive while it runs.
    pub async fn restart(&self, configure: impl FnOnce(&mut Config)) -> anyhow::Result<TestServer> {
        TestServer::serve(self.backend.clone(), &self.database_url, None, configure).await
    }
}

impl std::ops::Deref for TestServer {
    type Target = Endpoint;

    fn deref(&self) -> &Endpoint {
        &self.endpoint
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Checked while the server still runs: its relay gets the chance to publish, and a
        // relay's last pass at shutdown would hide events that only the poll would send.
        let outbox = (self.take_outbox_check() && !std::thread::panicking())
            .then(|| self.outbox_drained_blocking())
            .flatten();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        remove_when_idle(self.search_dir.clone());
        remove_when_idle(self.data_dir.clone());
        if let Some(Err(err)) = outbox {
            panic!("{err:#}");
        }
    }
}

/// Removes a stopped server's index directory. Index work already handed to blocking threads
/// may still be writing into it for a moment, which makes a removal fail half-way; retry a
/// few times off the test's thread.
fn remove_when_idle(dir: std::path::PathBuf) {
    if std::fs::remove_dir_all(&dir).is_ok() || !dir.exists() {
        return;
    }
    std::thread::spawn(move || {
        for _ in 0..20 {
            std::thread::sleep(std::time::Duration::from_millis(250));
            if std::fs::remove_dir_all(&dir).is_ok() || !dir.exists() {
                return;
            }
        }
    });
}
