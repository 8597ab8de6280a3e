//! Carts: guest and customer carts, their lines, discount codes and buyer, priced live.
//! Rules live in `service/`; `types.rs`, `query.rs` and `mutation.rs` are the GraphQL edge.

pub mod code_guard;
pub mod events;
pub mod mutation;
pub mod query;
pub mod service;
pub mod types;
