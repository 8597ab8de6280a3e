//! Relay connections of the catalog. `totalCount` is computed only when asked for.

use super::{Category, Product};
use crate::catalog::loaders::ProductCountOfCategory;
use crate::catalog::service::categories::{CategoryListing, count_categories};
use crate::catalog::service::products::{ProductListing, count_products};
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
    pub node: Product,
}

#[Object]
impl ProductConnection {
    async fn edges(&self) -> Vec<ProductEdge> {
        let currency = self.listing.currency;
        self.page
            .items
            .iter()
            .map(|(cursor, p)| ProductEdge {
                cursor: cursor.clone(),
                node: Product::new(p.clone(), currency),
            })
            .collect()
    }

    async fn nodes(&self) -> Vec<Product> {
        self.page
            .items
            .iter()
            .map(|(_, p)| Product::new(p.clone(), self.listing.currency))
            .collect()
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
