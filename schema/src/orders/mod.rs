//! Checkout and orders: the cart becomes an order (`service/checkout.rs`), orders move
//! through their process table (`service/transitions.rs`, run by `service/lifecycle.rs`),
//! money moves through the providers of `crate::payments` (`service/money/`: capture, void,
//! refunds), shipments and returns go out and come back (`service/fulfilments/`,
//! `service/returns/`), and subscribers follow them (`subscription.rs`). Orders own the
//! `orders`, `order_lines`, `payments`, `refunds`, `fulfillments`, `returns` and history
//! tables.

pub mod events;
pub mod fulfilment_mutation;
pub mod fulfilment_types;
pub mod loaders;
pub mod mutation;
pub mod payment_mutation;
pub mod payment_types;
pub mod query;
pub mod return_mutation;
pub mod return_query;
pub mod return_types;
pub mod service;
pub mod subscription;
pub mod types;
