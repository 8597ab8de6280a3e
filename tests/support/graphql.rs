//! A running test server and a small GraphQL client for it.

use super::database::{Backend, TestDatabase};
use anyhow::Context as _;
use serde_json::{Value, json};
use shopgraph::app::App;
use shopgraph::config::Config;
use std::net::SocketAddr;
use tokio::sync::oneshot;

pub struct TestServer {
    pub addr: SocketAddr,
    pub backend: Backend,
    pub app: shopgraph::server::ServerState,
    client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    // Dropped last: the server must stop before its database goes. Replicas share their
    // first server's database and own none.
    _database: Option<TestDatabase>,
    database_url: String,
}

/// A GraphQL response with the HTTP details tests assert on.
#[derive(Debug)]
pub struct GraphqlResponse {
    pub status: u16,
    pub body: Value,
    /// `x-sql-statements`: statements the request issued.
    pub sql_statements: Option<usize>,
}

impl GraphqlResponse {
    /// The `data` member, failing the test when there are errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected GraphQL errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The first error's `extensions.code`.
    pub fn error_code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }

    pub fn error_message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or("")
    }
}

impl TestServer {
    /// A server on a fresh database holding a demo catalog of `products` products.
    pub async fn with_catalog(backend: Backend, products: usize) -> anyhow::Result<Self> {
        Self::start(backend, products, |_| {}).await
    }

    /// Like `with_catalog`, with configuration changes applied first.
    pub async fn start(
        backend: Backend,
        products: usize,
        configure: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Self> {
        let database = TestDatabase::create(&backend).await?;
        let mut server = Self::serve(backend, &database.url, configure).await?;
        server._database = Some(database);
        if products > 0 {
            shopgraph::seed::seed_demo_catalog(&server.app.app.db, products).await?;
        }
        Ok(server)
    }

    /// Another server process on this server's database, as a second replica would be.
    pub async fn replica(&self, configure: impl FnOnce(&mut Config)) -> anyhow::Result<Self> {
        Self::serve(self.backend.clone(), &self.database_url, configure).await
    }

    async fn serve(
        backend: Backend,
        database_url: &str,
        configure: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Self> {
        let mut config = Config::with_database(database_url);
        config.seed_demo = false;
        config.database_max_connections = 8;
        configure(&mut config);
        let app = App::build(&config).await.context("building the app")?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = app.state.clone();
        let (tx, rx) = oneshot::channel();
        let server = tokio::spawn(app.serve(listener, async {
            let _ = rx.await;
        }));
        Ok(Self {
            addr,
            backend,
            app: state,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            server: Some(server),
            _database: None,
            database_url: database_url.to_owned(),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.client
    }

    /// POSTs a query with variables to `/graphql`.
    pub async fn graphql(&self, query: &str, variables: Value) -> anyhow::Result<GraphqlResponse> {
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await?;
        Self::read(response).await
    }

    pub async fn read(response: reqwest::Response) -> anyhow::Result<GraphqlResponse> {
        let status = response.status().as_u16();
        let sql_statements = response
            .headers()
            .get("x-sql-statements")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let text = response.text().await?;
        let body = serde_json::from_str(&text)
            .with_context(|| format!("response is not JSON (HTTP {status}): {text}"))?;
        Ok(GraphqlResponse {
            status,
            body,
            sql_statements,
        })
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
        TestServer::serve(self.backend.clone(), &self.database_url, configure).await
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
    }
}
