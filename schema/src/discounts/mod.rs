//! Discount codes: staff manage them here; carts apply them (`crate::pricing`), checkout
//! consumes their usage (`service::consume`).

pub mod mutation;
pub mod service;
pub mod types;
