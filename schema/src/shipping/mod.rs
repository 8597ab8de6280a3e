//! Shipping: zones (the countries a set of methods serves) and methods (priced per currency,
//! free above a threshold, with delivery estimates). Staff manage them with MANAGE_SETTINGS;
//! carts ask `service::rates` which methods serve them. Owns `shipping_zones` and
//! `shipping_methods`; the buyer's choice lives on the cart (the carts context) and the
//! method an order shipped with on the order.

pub mod events;
pub mod mutation;
pub mod query;
pub mod service;
pub mod types;
