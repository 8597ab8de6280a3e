//! Storefront access tokens: the credential a storefront sends as
//! `X-Shopify-Storefront-Access-Token` to the Shopify-shaped endpoint (SPEC section 11).
//! Staff with MANAGE_SETTINGS create, list and revoke them; a token is shown once and only
//! its SHA-256 is stored, like refresh tokens and order access keys.

pub mod mutation;
pub mod query;
pub mod service;
pub mod types;
