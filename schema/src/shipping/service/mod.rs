//! Shipping rules: which methods serve a cart (`rates`), and what a valid zone
//! (`zones`) or method (`methods`) is.

pub mod methods;
pub mod rates;
pub mod zones;

/// Most zones and most methods per zone: shipping configuration is read whole for every cart
/// view, so it must stay small.
pub const MAX_ZONES: u64 = 100;
pub const MAX_METHODS_PER_ZONE: u64 = 20;
