//! A running test server and a small GraphQL client for it.

use super::database::{Backend, TestDatabase};
use super::endpoint::{Endpoint, GraphqlResponse};
use super::template;
use shopgraph::app::App;
use shopgraph::config::Config;
use tokio::sync::oneshot;

pub struct TestServer {
    /// Where the server listens, and a client for it (methods reach through `Deref`).
    pub endpoint: Endpoint,
    pub backend: Backend,
    pub app: shopgraph::server::ServerState,
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
}

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
        config.seed_demo = false;
        config.database_max_connections = 8;
        // The embedded index unless a test asks for Meilisearch, whatever the environment.
        config.meilisearch_url = None;
        let search_dir = std::env::temp_dir().join(format!(
            "shopgraph-search-{}",
            uuid::Uuid::new_v4().simple()
        ));
        config.search_index_dir = Some(search_dir.clone());
        // Most tests read right after a write, before the write's event can have dropped a
        // cached answer; the response cache has tests of its own that turn it on.
        config.response_cache_entries = 0;
        configure(&mut config);
        if let Some(index) = index
            && config.search_index_dir.as_deref() == Some(search_dir.as_path())
            && let Err(err) = template::copy_dir(index, &search_dir)
        {
            let _ = std::fs::remove_dir_all(&search_dir);
            return Err(anyhow::Error::from(err).context("copying the template's search index"));
        }
        if config.production && config.metrics_bind.is_none() {
            // Tests run side by side: production's fixed metrics port would be taken.
            config.metrics_bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        }
        let app = match App::build(&config).await {
            Ok(app) => app,
            // Tests of refused configurations: nothing runs, so clean up here.
            Err(err) => {
                let _ = std::fs::remove_dir_all(&search_dir);
                return Err(err.context("building the app"));
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
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
        })
    }

    /// The database this server (and its replicas) use.
    pub fn database_url(&self) -> &str {
        &self.database_url
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

    /// Reads a `/graphql` answer (see `Endpoint::read`).
    pub async fn read(response: reqwest::Response) -> anyhow::Result<GraphqlResponse> {
        Endpoint::read(response).await
    }

    /// Stops serving at once, with no graceful shutdown: what `kill -9` leaves behind
    /// (committed rows, unpublished outbox events) stays as it is.
    pub fn crash(mut self) -> Crashed {
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

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) -> anyhow::Result<()> {
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
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        remove_when_idle(self.search_dir.clone());
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
