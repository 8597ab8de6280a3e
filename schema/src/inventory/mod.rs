//! Inventory: stock levels per variant and warehouse, availability, and live stock events.

pub mod admin;
pub mod back_in_stock_mutation;
pub mod events;
pub mod loaders;
pub mod query;
pub mod service;
pub mod subscription;
pub mod types;
