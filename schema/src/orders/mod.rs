//! Checkout and orders: the cart becomes an order (`service/checkout.rs`), orders move
//! through their state machine (`service/lifecycle.rs`), payments go through providers
//! (`service/payments.rs`), and subscribers follow them (`subscription.rs`).

pub mod events;
pub mod loaders;
pub mod mutation;
pub mod query;
pub mod service;
pub mod subscription;
pub mod types;
