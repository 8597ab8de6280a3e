//! The Shopify-shaped Storefront endpoint (SPEC section 11): `POST /api/{version}/graphql.json`
//! answers the subset of Shopify's Storefront API that Next.js Commerce and Hydrogen use, so
//! a storefront written for Shopify runs on shopgraph by changing one URL.
//!
//! It is a second async-graphql schema over the same services and loaders as `/graphql`: its
//! resolvers only translate names and shapes (global ids, `MoneyV2`, Relay connections, the
//! `merchandise` union, `userErrors` beside the cart) and call the owning contexts. The
//! server runs it behind the same guards (`GuardedSchema`), limits, response cache and
//! statement counting.

pub mod cart;
pub mod cart_mutation;
pub mod collection;
pub mod connection;
pub mod content;
pub mod ids;
pub mod in_context;
pub mod money;
pub mod product;
pub mod query;
pub mod search_syntax;
pub mod sort_keys;
pub mod versions;

use crate::{AppState, GuardedSchema, QueryLimits};
use async_graphql::{EmptySubscription, Schema, SchemaBuilder};
use cart_mutation::CompatCartMutation;
use in_context::InContextDirective;
use query::CompatQuery;

pub type CompatSchema = Schema<CompatQuery, CompatCartMutation, EmptySubscription>;

/// The schema without runtime data (what `export-schema --storefront` prints).
pub fn schema_builder(
    limits: &QueryLimits,
) -> SchemaBuilder<CompatQuery, CompatCartMutation, EmptySubscription> {
    let mut builder = Schema::build(CompatQuery, CompatCartMutation, EmptySubscription)
        .directive(InContextDirective)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(32);
    if !limits.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder
}

/// The executable endpoint schema with the request-level rules around it.
pub fn build_schema(state: AppState, limits: &QueryLimits) -> GuardedSchema<CompatSchema> {
    GuardedSchema::new(
        schema_builder(limits).data(state).finish(),
        limits.persisted_queries.clone(),
        limits.introspection,
    )
}

/// The endpoint's SDL, as checked in at `graphql/storefront.graphql`.
pub fn export_sdl() -> String {
    schema_builder(&QueryLimits::default()).finish().sdl()
}
