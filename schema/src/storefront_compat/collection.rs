//! `Collection` with Shopify's field names. Its products come in the collection's own order
//! (first pages batched across collections, as on `/graphql`) or, with another sort key,
//! from the catalog's product listing restricted to the collection's members.

use super::connection::{Listed, ProductConnection};
use super::ids::gid;
use super::product::{Image, Product, Seo};
use super::sort_keys::ProductCollectionSortKeys;
use crate::catalog::loaders::FirstProductsOfCollection;
use crate::catalog::service::collections::{collection_products, member_cursor_key, member_page};
use crate::catalog::service::products::{ProductListing, list_products};
use crate::common::html;
use crate::common::money::CurrencyCode;
use crate::common::pagination::{Direction, PageArgs};
use crate::context::ContextExt;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entities::collection;

#[derive(Clone)]
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
        ID(gid("Collection", self.model.id))
    }

    async fn handle(&self) -> &str {
        &self.model.handle
    }

    async fn title(&self) -> &str {
        &self.model.title
    }

    /// Plain text ("" when there is none).
    async fn description(&self) -> &str {
        self.model.description.as_deref().unwrap_or_default()
    }

    /// The plain description as an HTML paragraph (collections keep plain text only).
    #[graphql(name = "descriptionHtml")]
    async fn description_html(&self) -> String {
        match self.model.description.as_deref() {
            Some(text) if !text.is_empty() => format!("<p>{}</p>", html::escape(text)),
            _ => String::new(),
        }
    }

    async fn image(&self) -> Option<Image> {
        self.model.image_url.as_ref().map(|url| Image {
            id: None,
            url: url.clone(),
            alt_text: self.model.image_alt.clone(),
            width: None,
            height: None,
        })
    }

    async fn seo(&self) -> Seo {
        Seo {
            title: Some(
                self.model
                    .seo_title
                    .clone()
                    .unwrap_or_else(|| self.model.title.clone()),
            ),
            description: self
                .model
                .seo_description
                .clone()
                .or_else(|| self.model.description.clone()),
        }
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }

    async fn online_store_url(&self) -> Option<String> {
        None
    }

    /// The collection's products: in its own order (`COLLECTION_DEFAULT`, `MANUAL`,
    /// `RELEVANCE`; `reverse` does not apply to it), or by title, price, creation or best
    /// selling.
    #[graphql(
        complexity = "first.or(last).unwrap_or(20).clamp(0, 250) as usize * child_complexity + 1"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<ProductCollectionSortKeys>,
    ) -> Result<ProductConnection> {
        let request = ctx.request()?;
        let max_page_size = ctx.state()?.settings.max_page_size;
        let include_unpublished = request.viewer.sees_unpublished_catalog();
        let collection_id = self.model.id;
        let currency = self.currency;
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let node = |p| Product::new(p, currency);
        if let Some(order) = sort_key.and_then(ProductCollectionSortKeys::listing_order) {
            let mut listing = ProductListing::new(currency);
            listing.collection_id = Some(collection_id);
            listing.include_unpublished = include_unpublished;
            listing.order = order.0;
            listing.reverse = reverse.unwrap_or(false) != order.1;
            let page = args.validate(max_page_size, &listing.cursor_key())?;
            let page = list_products(&request.catalog_db, &listing, &page).await?;
            return Ok(Listed::from_page(page, node).into());
        }
        let page = args.validate(max_page_size, &member_cursor_key(collection_id))?;
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
        Ok(Listed::from_page(page, node).into())
    }
}
