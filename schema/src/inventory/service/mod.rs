//! Inventory rules: availability as subscribers see it, and allocation of stock to orders.
//! Every writer of `stock_levels` records a `StockChanged` event in the outbox in the same
//! transaction (see `crate::events`).

pub mod allocation;
pub mod availability;
pub mod back_in_stock;
pub mod levels;
pub mod privacy;
