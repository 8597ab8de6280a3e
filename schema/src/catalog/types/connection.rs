//! Relay connections of the catalog. `totalCount` is computed only when asked for.

use super::{Category, Product, page_products};
use crate::catalog::loaders::ProductCountOfCategory;
use crate::catalog::service::categories::{CategoryListing, count_categories};
use crate::catalog::service::products::{ProductListing, count_products};
use crate::common::in_memory::InMemory;
use crate::common::money::CurrencyCode;
use crate::common::pagination::{Page, PageInfo};
use crate::context::ContextExt;
use async_graphql::{Context, Object, Result, SimpleObject};
use entities::{category, product};
use uuid::Uuid;

pub struct ProductConnection {
    pub page: Page<product::Model>,
    pub listing: ProductListing,
    /// Set when the page is a category's (the listing then holds no category filter): its
    /// count is batched with the other categories' counts.
    pub category_scope: Option<Uuid>,
}

#[derive(SimpleObject)]
pub struct ProductEdge {
    pub cursor: String,
    pub node: InMemory<Product>,
}

/// The edges of a page of products, the products read as `page_products` does.
pub async fn product_edges(
    ctx: &Context<'_>,
    page: &Page<product::Model>,
    currency: CurrencyCode,
) -> Vec<ProductEdge> {
    let models = page.items.iter().map(|(_, p)| p);
    let products = page_products(ctx, ctx.look_ahead().field("node"), models, currency).await;
    page.items
        .iter()
        .zip(products)
        .map(|((cursor, _), node)| ProductEdge {
            cursor: cursor.clone(),
            node,
        })
        .collect()
}

#[Object]
impl ProductConnection {
    async fn edges(&self, ctx: &Context<'_>) -> Vec<ProductEdge> {
        product_edges(ctx, &self.page, self.listing.currency).await
    }

    async fn nodes(&self, ctx: &Context<'_>) -> Vec<InMemory<Product>> {
        let models = self.page.items.iter().map(|(_, p)| p);
        page_products(ctx, ctx.look_ahead(), models, self.listing.currency).await
    }

    async fn page_info(&self) -> &PageInfo {
        &self.page.page_info
    }

    /// How many products match the filters (all pages).
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        if let Some(category_id) = self.category_scope {
            let key = ProductCountOfCategory {
                category_id,
                listing: self.listing.clone(),
            };
            return Ok(ctx.request()?.catalog.load_one(key).await?.unwrap_or(0));
        }
        Ok(count_products(&ctx.request()?.catalog_db, &self.listing).await?)
    }
}

pub struct CategoryConnection {
    pub page: Page<category::Model>,
    pub listing: CategoryListing,
    pub currency: CurrencyCode,
}

#[derive(SimpleObject)]
pub struct CategoryEdge {
    pub cursor: String,
    pub node: Category,
}

#[Object]
impl CategoryConnection {
    async fn edges(&self) -> Vec<CategoryEdge> {
        self.page
            .items
            .iter()
            .map(|(cursor, c)| CategoryEdge {
                cursor: cursor.clone(),
                node: Category::new(c.clone(), self.currency),
            })
            .collect()
    }

    async fn nodes(&self) -> Vec<Category> {
        self.page
            .items
            .iter()
            .map(|(_, c)| Category::new(c.clone(), self.currency))
            .collect()
    }

    async fn page_info(&self) -> &PageInfo {
        &self.page.page_info
    }

    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(count_categories(&ctx.request()?.catalog_db, &self.listing).await?)
    }
}
