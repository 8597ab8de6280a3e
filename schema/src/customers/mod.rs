//! Customers and staff: accounts, passwords, access and refresh tokens, and who the viewer is.

pub mod access;
pub mod account_mutation;
pub mod account_types;
pub mod auth;
pub mod events;
pub mod mutation;
pub mod passwords;
pub mod permissions;
pub mod query;
pub mod service;
pub mod sessions;
pub mod staff;
pub mod types;
pub mod viewer;
