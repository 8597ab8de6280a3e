//! HTTP server settings: where it listens, what production mode turns off, `/metrics`, the
//! limits every request meets (size, time, query shape, per-client rate) and logging.

use super::invalid::InvalidValue;
use axum::http::HeaderValue;
use clap::{Args, ValueEnum};
use std::net::SocketAddr;
use std::str::FromStr;

/// Port of the metrics listener in production when `METRICS_BIND` is not set.
const DEFAULT_METRICS_PORT: u16 = 9100;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Server")]
pub struct ServerConfig {
    /// Address to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,

    /// Production mode: no GraphiQL, no introspection (unless --introspection), no demo seed,
    /// JWT_SECRET required, /metrics on its own listener.
    #[arg(long, env = "PRODUCTION")]
    pub production: bool,

    /// Allow schema introspection in production mode (also `_service { sdl }` and "Did you
    /// mean …" suggestions, which are off with it).
    #[arg(long, env = "INTROSPECTION")]
    pub introspection: bool,

    /// A secret the federation router sends as the `x-federation-sdl-key` header to read
    /// `_service { sdl }` when introspection is off (or give the router `graphql/schema.graphql`).
    #[arg(long, env = "FEDERATION_SDL_KEY", hide_env_values = true)]
    pub federation_sdl_key: Option<String>,

    /// Refuse requests to the Shopify-shaped endpoint (`/api/{version}/graphql.json`) that
    /// carry no `X-Shopify-Storefront-Access-Token`. A token that is presented is always
    /// checked (unknown or revoked: 401).
    #[arg(long, env = "STOREFRONT_TOKEN_REQUIRED")]
    pub storefront_token_required: bool,

    /// Address serving `/metrics` (Prometheus), apart from the API [default: 127.0.0.1:9100
    /// in production; in development /metrics is on the API port unless this is set]. With
    /// it set, /metrics on the API port answers 404.
    #[arg(long, env = "METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// Bearer token `/metrics` requires (`Authorization: Bearer <token>`); none: no token.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Origins allowed to call the API from a browser, comma-separated (none: same-origin only).
    #[arg(
        long,
        env = "CORS_ORIGINS",
        default_value = "",
        hide_default_value = true
    )]
    pub cors_origins: Origins,

    /// Largest request body in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Seconds after which a request is answered with a timeout error.
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Deepest selection nesting a query may have.
    #[arg(long, env = "MAX_QUERY_DEPTH", default_value_t = 15)]
    pub max_query_depth: usize,

    /// Highest complexity score a query may have (each field costs 1, lists multiply).
    #[arg(long, env = "MAX_QUERY_COMPLEXITY", default_value_t = 20_000)]
    pub max_query_complexity: usize,

    /// Requests one client may make per rate-limit window (0 turns rate limiting off).
    /// Signed-in clients are counted by account, others by IP address.
    #[arg(long, env = "RATE_LIMIT_REQUESTS", default_value_t = 1200)]
    pub rate_limit_requests: u32,

    /// Length of the rate-limit window in seconds.
    #[arg(long, env = "RATE_LIMIT_WINDOW_SECS", default_value_t = 60)]
    pub rate_limit_window_secs: u64,

    /// Reverse proxies in front of the server that append to `X-Forwarded-For`. With N > 0
    /// the client address is the N-th entry from the right; with 0 the header is ignored
    /// (clients could forge it).
    #[arg(long, env = "TRUSTED_PROXY_HOPS", default_value_t = 0)]
    pub trusted_proxy_hops: usize,

    /// Log format.
    #[arg(long, env = "LOG_FORMAT", value_enum, ignore_case = true, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// For people reading a terminal.
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

impl ServerConfig {
    /// Where `/metrics` is served apart from the API: `METRICS_BIND`, else 127.0.0.1:9100 in
    /// production; `None` keeps it on the API port (development).
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics_bind.or_else(|| {
            self.production
                .then(|| SocketAddr::from(([127, 0, 0, 1], DEFAULT_METRICS_PORT)))
        })
    }

    /// Whether schema introspection is allowed.
    pub fn introspection_allowed(&self) -> bool {
        !self.production || self.introspection
    }
}

/// The origins allowed by CORS, `https://a.example,https://b.example` (empty entries, and an
/// empty value, allow none). Each goes into a response header as is, so each must be a valid
/// header value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins(Vec<HeaderValue>);

impl Origins {
    pub fn list(&self) -> &[HeaderValue] {
        &self.0
    }
}

impl FromStr for Origins {
    type Err = InvalidValue;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut origins = Vec::new();
        for origin in text.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            // The CORS layer takes a list of origins and panics on a wildcard among them.
            if origin == "*" {
                return Err(InvalidValue::new(
                    "`*` is not accepted: list the origins allowed",
                ));
            }
            let value = HeaderValue::from_str(origin)
                .map_err(|_| InvalidValue::new(format!("`{origin}` is not a valid origin")))?;
            origins.push(value);
        }
        Ok(Self(origins))
    }
}
