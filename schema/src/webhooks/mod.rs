//! Outgoing webhooks (SPEC §9): staff subscribe URLs to topics; every event of those topics
//! is POSTed to them, signed the Standard Webhooks way, retried with backoff, never sent inside
//! a transaction. Owns `webhooks` and `webhook_deliveries`.
//!
//! How a message travels: the outbox relay hands each event to `service::queue` in the
//! transaction that marks it published, which writes one delivery row per subscribed webhook
//! with the exact body; `service::worker` claims due rows in a short unit of work, sends them
//! outside any transaction (`service::send`), and records the outcome in another unit.

pub mod mutation;
pub mod query;
pub mod service;
pub mod topics;
pub mod types;
