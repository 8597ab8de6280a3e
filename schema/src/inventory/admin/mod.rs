//! Staff inventory changes.

pub mod stock;
pub mod stock_mutation;
pub mod warehouse_changes;
pub mod warehouse_mutation;
pub mod warehouses;
