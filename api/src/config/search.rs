//! Search settings: Meilisearch when its URL is set, otherwise the embedded index, and
//! whether this process keeps the index in sync.

use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Search")]
pub struct SearchConfig {
    /// Meilisearch server URL (http or https). When set, search uses it; otherwise the
    /// embedded index (tantivy) under SEARCH_INDEX_DIR.
    #[arg(long, env = "MEILISEARCH_URL")]
    pub meilisearch_url: Option<String>,

    /// Meilisearch API key (a key allowed to manage the index, or the master key).
    #[arg(long, env = "MEILISEARCH_API_KEY", hide_env_values = true)]
    pub meilisearch_api_key: Option<String>,

    /// Name (uid) of the Meilisearch index holding products.
    #[arg(long, env = "MEILISEARCH_INDEX", default_value = "products")]
    pub meilisearch_index: String,

    /// Directory of the embedded search index [default: `search` in the data directory].
    /// One process per directory: replicas sharing an index use Meilisearch.
    #[arg(long, env = "SEARCH_INDEX_DIR")]
    pub search_index_dir: Option<PathBuf>,

    /// Keep the search index in sync in this process (drains the search queue the outbox
    /// relay fills). With Meilisearch, replicas take turns; with the embedded index every
    /// process syncs its own copy only if it is the only one.
    #[arg(long, env = "SEARCH_SYNC", default_value_t = true, action = clap::ArgAction::Set)]
    pub search_sync: bool,
}

impl SearchConfig {
    /// The Meilisearch server, when one is configured (an empty value means none).
    pub fn meilisearch(&self) -> Option<&str> {
        self.meilisearch_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
    }
}
