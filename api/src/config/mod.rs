//! Configuration: flags with environment fallbacks, one group per concern (a file each),
//! flattened into [`Config`]. Every field's doc comment is its `--help`, and every field is
//! named like its flag, so `config.cache.redis_url` is `--redis-url` / `REDIS_URL`: the names
//! are the public contract (README lists them) and must not change.
//!
//! Every value is parsed by the command line into the type it is used as (an address, a
//! currency, a tax rate, a secret long enough), so a malformed value stops the start with an
//! error naming the flag, before anything connects. What only a combination of settings can
//! refuse is checked by [`Config::check`], also before anything connects.

mod auth;
mod cache;
mod commerce;
mod database;
mod events;
mod invalid;
mod mail;
mod money;
mod public;
mod reminders;
mod search;
mod server;
mod stripe;
mod webhook_secrets;
mod webhooks;
mod websocket;

pub use auth::{AuthConfig, JwtSecret, MIN_JWT_SECRET_BYTES};
pub use cache::CacheConfig;
pub use commerce::CommerceConfig;
pub use database::DatabaseConfig;
pub use events::EventsConfig;
pub use invalid::InvalidValue;
pub use mail::{MailConfig, MailSecretValue, StorefrontUrl};
pub use money::{Amounts, TaxRate};
pub use public::PublicConfig;
pub use reminders::RemindersConfig;
pub use search::SearchConfig;
pub use server::{LogFormat, Origins, ServerConfig};
pub use stripe::{ApiBase, Capture, StripeKey};
pub use webhook_secrets::WebhookSecrets;
pub use webhooks::WebhooksConfig;
pub use websocket::WebsocketConfig;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug, Clone)]
#[command(name = "shopgraph", version, about = "A headless commerce GraphQL API")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Generate a demo catalog (into an empty catalog) and exit.
    Seed {
        /// How many products to generate (3 variants each).
        #[arg(long, default_value_t = crate::seed::DEFAULT_PRODUCTS)]
        products: usize,
    },
    /// Print the GraphQL schema (federation subgraph SDL) and exit.
    ExportSchema {
        /// Print the Shopify-shaped endpoint's schema (`/api/{version}/graphql.json`) instead.
        #[arg(long)]
        storefront: bool,
    },
    /// Rebuild the search index from the catalog with no downtime: a new index is built
    /// aside and replaces the live one when complete (servers keep searching the old one
    /// until then), then changes made meanwhile are queued again for the sync.
    Reindex,
    /// Manage staff accounts.
    Admin {
        #[command(subcommand)]
        action: AdminCommand,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum AdminCommand {
    /// Create the administrator (every permission), or update the account's password and
    /// rights if it exists.
    Create {
        #[arg(long, env = "ADMIN_EMAIL")]
        email: String,
        /// At least 10 characters; prefer the environment variable to keep it out of the
        /// shell history.
        #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[derive(Args, Debug, Clone)]
pub struct Config {
    /// Directory for local data: the default SQLite database, the embedded search index and
    /// the Maildir of mail sent without SMTP_URL.
    #[arg(long, env = "DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    #[command(flatten)]
    pub server: ServerConfig,
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[command(flatten)]
    pub cache: CacheConfig,
    #[command(flatten)]
    pub auth: AuthConfig,
    #[command(flatten)]
    pub commerce: CommerceConfig,
    #[command(flatten)]
    pub search: SearchConfig,
    #[command(flatten)]
    pub events: EventsConfig,
    #[command(flatten)]
    pub reminders: RemindersConfig,
    #[command(flatten)]
    pub websocket: WebsocketConfig,
    #[command(flatten)]
    pub webhooks: WebhooksConfig,
    #[command(flatten)]
    pub mail: MailConfig,
    #[command(flatten)]
    pub public: PublicConfig,
}

impl Config {
    /// A configuration with every default (and the environment's values), for tests and
    /// tools.
    pub fn with_database(database_url: &str) -> Self {
        let mut config = Cli::parse_from(["shopgraph"]).config;
        config.database.database_url = Some(database_url.to_owned());
        config
    }

    /// What no single value can refuse: settings that only make sense together. Called before
    /// anything connects.
    pub fn check(&self) -> Result<(), InvalidValue> {
        if self.server.production && self.auth.jwt_secret.is_none() {
            return Err(InvalidValue::new(
                "JWT_SECRET is required in production mode",
            ));
        }
        if self.auth.admin_email.is_some() != self.auth.admin_password.is_some() {
            return Err(InvalidValue::new(
                "set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither",
            ));
        }
        self.commerce.check_stripe(self.server.production)?;
        self.commerce.webhook_secrets().map(drop)
    }

    /// Where the embedded search index lives.
    pub fn search_index_dir(&self) -> PathBuf {
        self.search
            .search_index_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("search"))
    }

    /// Where mail goes without SMTP_URL.
    pub fn maildir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// `DATABASE_URL`, or the SQLite file `shopgraph.db` in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("shopgraph.db").display()
            ),
        }
    }
}

#[cfg(test)]
mod tests;
