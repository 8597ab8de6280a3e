//! The shopgraph server: configuration, CLI, database wiring, the axum router with GraphQL,
//! GraphiQL, websockets, health and metrics, the hosted checkout pages.
// `schema::GuardedSchema` is generic over the schema it guards, so its execution futures (the
// whole resolver tree of the app schema) are laid out in this crate, deeper than the default
// limit of 128.
#![recursion_limit = "256"]

pub mod app;
pub mod caller;
pub mod cli;
pub mod client;
pub mod config;
pub mod db;
pub mod get_request;
pub mod graphiql;
pub mod graphql_http;
pub mod health;
pub mod hosted_checkout;
pub mod http_cache;
pub mod metrics;
pub mod metrics_endpoint;
pub mod outage_status;
pub mod rate_limit;
pub mod redis_client;
pub mod request_budget;
pub mod request_tasks;
pub mod search;
pub mod seed;
pub mod server;
pub mod state;
pub mod storefront_http;
pub mod storefront_tokens;
pub mod subscription_feeds;
pub mod telemetry;
pub mod viewer;
pub mod webhooks;
pub mod websocket;
pub mod websocket_operations;
pub mod websocket_seats;
