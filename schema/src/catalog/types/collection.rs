use super::connection::product_edges;
use super::{Image, Product, ProductEdge, page_products};
use crate::catalog::loaders::{FirstProductsOfCollection, ProductCountOfCollection};
use crate::catalog::service::collections::{collection_products, member_cursor_key, member_page};
use crate::common::in_memory::InMemory;
use crate::common::money::CurrencyCode;
use crate::common::pagination::{Direction, Page, PageArgs, PageInfo};
use crate::common::seo::Seo;
use crate::context::ContextExt;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entities::{collection, product};
use uuid::Uuid;

/// A curated, ordered list of products (a home page's featured items, a seasonal edit).
pub struct Collection {
    pub model: collection::Model,
    pub currency: CurrencyCode,
}

impl Collection {
    pub fn new(model: collection::Model, currency: CurrencyCode) -> Self {
        Self { model, currency }
    }
}

#[Object]
impl Collection {
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }

    /// URL-friendly unique handle.
    async fn handle(&self) -> &str {
        &self.model.handle
    }

    async fn title(&self) -> &str {
        &self.model.title
    }

    /// Plain text.
    async fn description(&self) -> Option<&str> {
        self.model.description.as_deref()
    }

    /// The same `Image` type as products'; a collection's image has no stored dimensions.
    async fn image(&self) -> Option<Image> {
        self.model.image_url.as_ref().map(|url| Image {
            url: url.clone(),
            alt_text: self.model.image_alt.clone(),
            width: None,
            height: None,
        })
    }

    async fn seo(&self) -> Seo {
        Seo {
            title: self.model.seo_title.clone(),
            description: self.model.seo_description.clone(),
        }
    }

    /// The products in the collection's order (shoppers see ACTIVE ones only). First pages
    /// of several collections are read together in one statement.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        currency: Option<CurrencyCode>,
    ) -> Result<CollectionProductConnection> {
        let request = ctx.request()?;
        let include_unpublished = request.viewer.sees_unpublished_catalog();
        let collection_id = self.model.id;
        let page = PageArgs {
            first,
            after,
            last: None,
            before: None,
        }
        .validate(
            ctx.state()?.settings.max_page_size,
            &member_cursor_key(collection_id),
        )?;
        let currency = currency.unwrap_or(self.currency);
        let page = if page.cursor.is_none() && page.direction == Direction::Forward {
            let key = FirstProductsOfCollection {
                collection_id,
                include_unpublished,
                limit: page.limit,
            };
            let rows = request.catalog.load_one(key).await?.unwrap_or_default();
            member_page(collection_id, rows, &page)
        } else {
            collection_products(
                &request.catalog_db,
                collection_id,
                include_unpublished,
                &page,
            )
            .await?
        };
        Ok(CollectionProductConnection {
            page,
            collection_id,
            include_unpublished,
            currency,
        })
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }
}

/// A page of a collection's products, in the collection's order.
pub struct CollectionProductConnection {
    page: Page<product::Model>,
    collection_id: Uuid,
    include_unpublished: bool,
    currency: CurrencyCode,
}

#[Object]
impl CollectionProductConnection {
    async fn edges(&self, ctx: &Context<'_>) -> Vec<ProductEdge> {
        product_edges(ctx, &self.page, self.currency).await
    }

    async fn nodes(&self, ctx: &Context<'_>) -> Vec<InMemory<Product>> {
        let models = self.page.items.iter().map(|(_, p)| p);
        page_products(ctx, ctx.look_ahead(), models, self.currency).await
    }

    async fn page_info(&self) -> &PageInfo {
        &self.page.page_info
    }

    /// How many products the collection shows the viewer (all pages).
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let key = ProductCountOfCollection {
            collection_id: self.collection_id,
            include_unpublished: self.include_unpublished,
        };
        Ok(ctx.request()?.catalog.load_one(key).await?.unwrap_or(0))
    }
}
