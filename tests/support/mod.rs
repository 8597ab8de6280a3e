//! Test harness: starts a real shopgraph server (the same router the binary serves) on a
//! random loopback port, against a database of its own that is removed afterwards: a copy of
//! a migrated, seeded and indexed template built once per run (`template`). When the test
//! ends, every event its writes recorded must have been published (`TestServer::stop`).
//!
//! Every test runs on SQLite; the `e2e!` macro runs it on PostgreSQL too when
//! `TEST_DATABASE_URL` points at a server (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod audit_check;
pub mod bench_util;
mod browser;
mod builders;
mod database;
mod endpoint;
mod graphql;
mod ids;
mod node_client;
mod process;
mod redis;
mod roles;
pub mod smtp;
pub mod stripe;
mod tcp_proxy;
mod template;
mod webhook_receiver;
mod websocket;

pub use accounts::{ADMIN_EMAIL, ADMIN_PASSWORD, CUSTOMER_PASSWORD};
pub use browser::BrowserScript;
pub use builders::{
    BUYER_EMAIL, CartBuilder, Product, ProductBuilder, Variant, VariantSpec, decimal,
};
pub use database::{Backend, TestDatabase};
pub use endpoint::{Endpoint, GraphqlResponse, header};
pub use graphql::{RELAY_POLL_MS, TestServer};
pub use ids::{CartId, OrderId, ProductId, VariantId, WarehouseId};
pub use node_client::{NodeSubscriber, run_script};
pub use process::{ServerProcess, binary as shopgraph_binary};
pub use redis::TestRedis;
pub use roles::{Admin, Client, Customer, OrderAction, Warehouse};
pub use tcp_proxy::TcpProxy;
pub use webhook_receiver::{Received, WebhookReceiver};
pub use websocket::{WsClient, WsProtocol};

/// Declares a test that runs on SQLite and, when configured, on PostgreSQL:
/// `e2e!(my_test);` for `async fn my_test(backend: Backend) -> anyhow::Result<()>`.
#[macro_export]
macro_rules! e2e {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> anyhow::Result<()> {
                super::$name($crate::Backend::sqlite()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> anyhow::Result<()> {
                match $crate::Backend::postgres() {
                    Some(backend) => super::$name(backend).await,
                    None => {
                        eprintln!("skipped: set TEST_DATABASE_URL to run on PostgreSQL");
                        Ok(())
                    }
                }
            }
        }
    };
}
