//! Catalog: categories, collections, products, variants, prices and images (read side).
//!
//! `query` holds the resolvers (thin), `service` the rules (visibility, filtering, ordering,
//! paging), `loaders` the batched reads every edge goes through, `types` the GraphQL objects.

pub mod admin;
pub mod collection_query;
pub mod events;
pub mod loaders;
pub mod lookup;
pub mod query;
pub mod service;
pub mod types;
