//! The shopgraph GraphQL schema: one module per bounded context, each with its GraphQL
//! types, resolvers, DataLoaders and the domain services the resolvers call.
//!
//! The server (`api/`) builds the schema once with [`build_schema`] and executes every
//! request with a fresh [`context::RequestData`].

pub mod audit;
pub mod carts;
pub mod catalog;
pub mod common;
pub mod content;
pub mod context;
pub mod customers;
pub mod discounts;
pub mod error;
pub mod events;
pub mod federation;
pub mod guarded;
pub mod introspection;
pub mod inventory;
pub mod notifications;
pub mod orders;
pub mod parsed_documents;
pub mod payments;
pub mod persisted_queries;
pub mod pricing;
pub mod response_cache;
pub mod search;
pub mod shipping;
pub mod storefront_access;
pub mod storefront_compat;
pub mod subscription_sharing;
pub mod unit_of_work;
pub mod webhooks;

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};
pub use context::{AppState, RequestData, SchemaSettings, Viewer};
pub use guarded::GuardedSchema;
pub use persisted_queries::PersistedQueryStore;

/// Every query field, merged from the bounded contexts.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    catalog::query::CatalogQuery,
    catalog::collection_query::CollectionQuery,
    customers::query::CustomerQuery,
    customers::staff::query::StaffQuery,
    inventory::query::InventoryQuery,
    carts::query::CartQuery,
    discounts::mutation::DiscountQuery,
    orders::query::OrderQuery,
    orders::return_query::ReturnQuery,
    search::query::SearchQuery,
    shipping::query::ShippingQuery,
    webhooks::query::WebhookQuery,
    audit::query::AuditQuery,
    storefront_access::query::StorefrontAccessQuery,
    content::query::ContentQuery,
);

/// Every mutation field, merged from the bounded contexts.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    customers::mutation::CustomerMutation,
    customers::staff::mutation::StaffMutation,
    customers::account_mutation::AccountMutation,
    inventory::admin::stock_mutation::StockMutation,
    inventory::back_in_stock_mutation::BackInStockMutation,
    catalog::admin::category_mutation::CategoryMutation,
    catalog::admin::collection_mutation::CollectionMutation,
    catalog::admin::product_mutation::ProductMutation,
    inventory::admin::warehouse_mutation::WarehouseMutation,
    carts::mutation::CartMutation,
    discounts::mutation::DiscountMutation,
    orders::mutation::OrderMutation,
    orders::payment_mutation::PaymentMutation,
    orders::fulfilment_mutation::FulfilmentMutation,
    orders::return_mutation::ReturnMutation,
    shipping::mutation::ShippingMutation,
    webhooks::mutation::WebhookMutation,
    notifications::mutation::NotificationMutation,
    storefront_access::mutation::StorefrontAccessMutation,
    content::mutation::ContentMutation,
);

/// Every subscription field, merged from the bounded contexts.
#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(
    inventory::subscription::InventorySubscription,
    orders::subscription::OrderSubscription,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Limits that protect the server from expensive queries.
#[derive(Clone)]
pub struct QueryLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub introspection: bool,
    /// Where automatic persisted queries are kept.
    pub persisted_queries: PersistedQueryStore,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_depth: 15,
            max_complexity: 20_000,
            introspection: true,
            persisted_queries: PersistedQueryStore::new(4 * 1024 * 1024, None),
        }
    }
}

/// The schema without runtime data: what `export-schema` prints.
pub fn schema_builder(
    limits: &QueryLimits,
) -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .enable_federation()
    // Routers with subscription support, and client codegen from the SDL, need the type.
    .enable_subscription_in_federation()
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_recursive_depth(32)
    // No extensions: with any registered, async-graphql wraps every resolved field in the
    // extension chain. Persisted queries, the input guard, the introspection refusal and the
    // error codes are applied once per request by `guarded::GuardedSchema`; requests are
    // traced by the HTTP layer's span (with the request id).
    ;
    if !limits.introspection {
        // "Did you mean …" suggestions would reveal field and type names one typo at a time.
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder
}

/// The executable schema, with the request-level rules around it.
pub fn build_schema(state: AppState, limits: &QueryLimits) -> GuardedSchema {
    GuardedSchema::new(
        schema_builder(limits).data(state).finish(),
        limits.persisted_queries.clone(),
        limits.introspection,
    )
}

/// The SDL as checked in at `graphql/schema.graphql` (federation directives included).
pub fn export_sdl() -> String {
    let schema = schema_builder(&QueryLimits::default()).finish();
    schema.sdl_with_options(
        async_graphql::SDLExportOptions::new()
            .federation()
            .compose_directive(),
    )
}
