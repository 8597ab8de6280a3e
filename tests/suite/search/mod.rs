//! Search: one contract every engine passes (`contract`), the sync through the outbox and
//! its behaviour when the engine is down (`sync`), and zero-downtime rebuilds (`reindex`).
//!
//! Every test runs on the embedded engine (tantivy) and, when `MEILISEARCH_URL` (and
//! `MEILISEARCH_API_KEY`) point at a real Meilisearch, on Meilisearch too, each test in an
//! index of its own.

mod contract;
mod fixture;
mod reindex;
mod sync;

use shopgraph::config::Config;

/// The engine a test server searches with.
#[derive(Clone, Debug)]
pub enum Engine {
    Tantivy,
    Meilisearch {
        url: String,
        key: Option<String>,
        index: String,
    },
}

impl Engine {
    /// Meilisearch from the environment, with a fresh index name; `None` when not set.
    pub fn meilisearch() -> Option<Engine> {
        let url = std::env::var("MEILISEARCH_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())?;
        Some(Engine::Meilisearch {
            url,
            key: std::env::var("MEILISEARCH_API_KEY").ok(),
            index: format!("shopgraph_test_{}", uuid::Uuid::new_v4().simple()),
        })
    }

    pub fn configure(&self, config: &mut Config) {
        if let Engine::Meilisearch { url, key, index } = self {
            config.search.meilisearch_url = Some(url.clone());
            config.search.meilisearch_api_key = key.clone();
            config.search.meilisearch_index = index.clone();
        }
    }

    /// Deletes the test's Meilisearch index (tests clean up after themselves).
    pub async fn cleanup(&self) {
        if let Engine::Meilisearch { url, key, index } = self {
            let mut request = reqwest::Client::new()
                .delete(format!("{}/indexes/{index}", url.trim_end_matches('/')));
            if let Some(key) = key {
                request = request.bearer_auth(key);
            }
            if let Err(err) = request.send().await {
                eprintln!("could not delete the test index {index}: {err}");
            }
        }
    }

    /// Environment variables selecting this engine for a `shopgraph` process.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        match self {
            Engine::Tantivy => Vec::new(),
            Engine::Meilisearch { url, key, index } => {
                let mut env = vec![
                    ("MEILISEARCH_URL", url.clone()),
                    ("MEILISEARCH_INDEX", index.clone()),
                ];
                if let Some(key) = key {
                    env.push(("MEILISEARCH_API_KEY", key.clone()));
                }
                env
            }
        }
    }
}

/// Runs a search test on tantivy (SQLite and, when configured, PostgreSQL) and on
/// Meilisearch when configured.
#[macro_export]
macro_rules! search_contract {
    ($name:ident) => {
        mod $name {
            use super::super::Engine;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn tantivy_sqlite() -> anyhow::Result<()> {
                super::$name(Engine::Tantivy, e2e::Backend::sqlite()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn tantivy_postgres() -> anyhow::Result<()> {
                match e2e::Backend::postgres() {
                    Some(backend) => super::$name(Engine::Tantivy, backend).await,
                    None => Ok(()),
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn meilisearch() -> anyhow::Result<()> {
                match Engine::meilisearch() {
                    Some(engine) => {
                        let result = super::$name(engine.clone(), e2e::Backend::sqlite()).await;
                        engine.cleanup().await;
                        result
                    }
                    None => {
                        eprintln!("skipped: set MEILISEARCH_URL to run on Meilisearch");
                        Ok(())
                    }
                }
            }
        }
    };
}
