//! The end-to-end suite: one test binary (linking the server once keeps
//! builds quick and `target/` small), one module per capability.

mod abusive_input;
mod accounts;
mod admin_categories;
mod admin_products;
mod admin_stock;
mod audit;
mod bad_input;
mod carts;
mod catalog;
mod checkout;
mod collections;
mod customers;
mod discounts;
mod example_queries;
mod federation;
mod http_cache;
mod live_stock;
mod mail;
mod metrics_endpoint;
mod outages;
mod payments;
mod persisted_queries;
mod rate_limits;
mod read_replica;
mod reminders;
mod response_cache;
mod schema_file;
mod search;
mod server;
mod sessions;
mod staff;
mod statement_counts;
mod webhooks;
