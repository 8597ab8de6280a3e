//! `Product`, `ProductVariant` and `Image` with Shopify's field names, over the catalog's
//! loaders: a product's variants, prices, stock, options, price ranges and availability all
//! come from one batched read of its offers (`VariantOffersOfProduct`), as on `/graphql`.

use super::collection::Collection;
use super::connection::{
    CollectionConnection, IN_MEMORY_LIST_COST, ImageConnection, ListArgs, Listed,
    ProductVariantConnection,
};
use super::ids::gid;
use super::money::{MoneyV2, ProductPriceRange};
use crate::catalog::loaders::{CollectionsOfProduct, ImagesOfProduct, ProductById, VariantOffer};
use crate::catalog::service::is_visible;
use crate::catalog::types::{ProductVariant as CoreVariant, offers_of, product_options};
use crate::common::money::CurrencyCode;
use crate::context::ContextExt;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{product, product_image, product_variant, variant_price};
use std::sync::Arc;

/// Longest SEO description made from the plain description (as on `/graphql`).
const SEO_DESCRIPTION_FALLBACK_LEN: usize = 320;

#[derive(Clone)]
pub struct Product {
    pub model: product::Model,
    /// The currency the operation asked for (`@inContext`), else the store's default.
    pub currency: CurrencyCode,
}

impl Product {
    pub fn new(model: product::Model, currency: CurrencyCode) -> Self {
        Self { model, currency }
    }

    async fn offers(&self, ctx: &Context<'_>) -> Result<Arc<[VariantOffer]>> {
        offers_of(ctx, self.model.id).await
    }

    /// The range of `amount` (a price or compare-at price) over the variants in the product's
    /// currency; zero when no variant has one (Shopify's fields are never null).
    fn range(
        &self,
        offers: &[VariantOffer],
        amount: impl Fn(&variant_price::Model) -> Option<i64>,
    ) -> ProductPriceRange {
        let amounts = offers
            .iter()
            .flat_map(|o| &o.prices)
            .filter(|p| p.currency_code == self.currency.as_str())
            .filter_map(amount);
        let (min, max) = amounts
            .fold(None, |range: Option<(i64, i64)>, a| {
                Some(range.map_or((a, a), |(min, max)| (min.min(a), max.max(a))))
            })
            .unwrap_or((0, 0));
        ProductPriceRange {
            min_variant_price: MoneyV2::from_minor(min, self.currency),
            max_variant_price: MoneyV2::from_minor(max, self.currency),
        }
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "SEO")]
pub struct Seo {
    pub title: Option<String>,
    pub description: Option<String>,
}

#[derive(SimpleObject, Clone)]
pub struct ProductOption {
    pub id: ID,
    pub name: String,
    pub values: Vec<String>,
}

#[derive(SimpleObject, Clone)]
pub struct SelectedOption {
    pub name: String,
    pub value: String,
}

#[derive(SimpleObject, Clone)]
pub struct Image {
    pub id: Option<ID>,
    pub url: String,
    pub alt_text: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

impl From<product_image::Model> for Image {
    fn from(image: product_image::Model) -> Self {
        Self {
            id: Some(ID(gid("ProductImage", image.id))),
            url: image.url,
            alt_text: image.alt_text,
            width: image.width,
            height: image.height,
        }
    }
}

async fn images_of(ctx: &Context<'_>, product: uuid::Uuid) -> Result<Vec<Image>> {
    let images = ctx
        .request()?
        .catalog
        .load_one(ImagesOfProduct(product))
        .await?
        .unwrap_or_default();
    Ok(images.into_iter().map(Image::from).collect())
}

#[Object]
impl Product {
    async fn id(&self) -> ID {
        ID(gid("Product", self.model.id))
    }

    async fn handle(&self) -> &str {
        &self.model.slug
    }

    async fn title(&self) -> &str {
        &self.model.name
    }

    /// Plain text ("" when there is none).
    async fn description(&self, truncate_at: Option<i32>) -> String {
        let text = self.model.description.as_deref().unwrap_or_default();
        match truncate_at.and_then(|n| usize::try_from(n).ok()) {
            Some(n) => text.chars().take(n).collect(),
            None => text.to_owned(),
        }
    }

    /// Sanitised when saved, safe to insert as element content.
    #[graphql(name = "descriptionHtml")]
    async fn description_html(&self) -> &str {
        self.model.description_html.as_deref().unwrap_or_default()
    }

    /// The product's brand.
    async fn vendor(&self) -> &str {
        self.model.brand.as_deref().unwrap_or_default()
    }

    async fn tags(&self) -> &[String] {
        &self.model.tags.0
    }

    async fn seo(&self) -> Seo {
        Seo {
            title: Some(
                self.model
                    .seo_title
                    .clone()
                    .unwrap_or_else(|| self.model.name.clone()),
            ),
            description: self.model.seo_description.clone().or_else(|| {
                let plain = self.model.description.as_deref()?;
                Some(plain.chars().take(SEO_DESCRIPTION_FALLBACK_LEN).collect())
            }),
        }
    }

    async fn available_for_sale(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.offers(ctx).await?.iter().any(|o| o.available > 0))
    }

    /// Units available over all variants and warehouses.
    async fn total_inventory(&self, ctx: &Context<'_>) -> Result<i32> {
        let total: i64 = self.offers(ctx).await?.iter().map(|o| o.available).sum();
        Ok(i32::try_from(total).unwrap_or(i32::MAX))
    }

    async fn options(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<ProductOption>> {
        let offers = self.offers(ctx).await?;
        let options = product_options(offers.iter().map(|o| &o.variant.options));
        let limit = first
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(usize::MAX);
        Ok(options
            .into_iter()
            .take(limit)
            .enumerate()
            .map(|(index, option)| ProductOption {
                id: ID(format!("{}/{index}", gid("ProductOption", self.model.id))),
                name: option.name,
                values: option.values,
            })
            .collect())
    }

    async fn price_range(&self, ctx: &Context<'_>) -> Result<ProductPriceRange> {
        Ok(self.range(&self.offers(ctx).await?, |p| Some(p.amount)))
    }

    async fn compare_at_price_range(&self, ctx: &Context<'_>) -> Result<ProductPriceRange> {
        Ok(self.range(&self.offers(ctx).await?, |p| p.compare_at_amount))
    }

    #[graphql(complexity = "IN_MEMORY_LIST_COST * child_complexity + 1")]
    async fn variants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<ProductVariantConnection> {
        let variants = self
            .offers(ctx)
            .await?
            .iter()
            .map(|offer| ProductVariant::from_offer(offer.clone(), self.currency))
            .collect();
        let args = ListArgs {
            first,
            after,
            last,
            before,
            reverse,
        };
        Ok(Listed::slice(variants, &args)?.into())
    }

    /// The first image.
    async fn featured_image(&self, ctx: &Context<'_>) -> Result<Option<Image>> {
        Ok(images_of(ctx, self.model.id).await?.into_iter().next())
    }

    #[graphql(complexity = "IN_MEMORY_LIST_COST * child_complexity + 1")]
    async fn images(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<ImageConnection> {
        let images = images_of(ctx, self.model.id).await?;
        let args = ListArgs {
            first,
            after,
            last,
            before,
            reverse,
        };
        Ok(Listed::slice(images, &args)?.into())
    }

    /// The collections the product is in (by title).
    #[graphql(complexity = "IN_MEMORY_LIST_COST * child_complexity + 1")]
    async fn collections(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CollectionConnection> {
        let collections = ctx
            .request()?
            .catalog
            .load_one(CollectionsOfProduct(self.model.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|c| Collection::new(c, self.currency))
            .collect();
        let args = ListArgs {
            first,
            after,
            ..ListArgs::default()
        };
        Ok(Listed::slice(collections, &args)?.into())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    /// Products are published when they become ACTIVE; shopgraph keeps no separate date.
    async fn published_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }

    /// Storefronts build their own product URLs; shopgraph has no online store of its own.
    async fn online_store_url(&self) -> Option<String> {
        None
    }
}

/// A variant: `/graphql`'s `ProductVariant` (its prices and stock read with it, or loaded
/// in a batch) under Shopify's field names.
#[derive(Clone)]
pub struct ProductVariant(CoreVariant);

impl ProductVariant {
    pub fn from_offer(offer: VariantOffer, currency: CurrencyCode) -> Self {
        Self(CoreVariant::from_offer(offer, currency))
    }

    /// A cart line's variant, priced in the cart's currency.
    pub fn from_line(
        model: product_variant::Model,
        currency: CurrencyCode,
        price: Option<(i64, Option<i64>)>,
        available: i64,
    ) -> Self {
        Self(CoreVariant::from_line(model, currency, price, available))
    }

    fn model(&self) -> &product_variant::Model {
        self.0.model()
    }

    async fn price_row(&self, ctx: &Context<'_>) -> Result<Option<variant_price::Model>> {
        self.0.price_row(ctx, self.0.currency()).await
    }

    async fn available(&self, ctx: &Context<'_>) -> Result<i64> {
        self.0.available(ctx).await
    }
}

#[Object]
impl ProductVariant {
    async fn id(&self) -> ID {
        ID(gid("ProductVariant", self.model().id))
    }

    async fn title(&self) -> &str {
        &self.model().name
    }

    async fn sku(&self) -> &str {
        &self.model().sku
    }

    async fn available_for_sale(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.available(ctx).await? > 0)
    }

    async fn currently_not_in_stock(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.available(ctx).await? <= 0)
    }

    async fn quantity_available(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(i32::try_from(self.available(ctx).await?).unwrap_or(i32::MAX))
    }

    async fn requires_shipping(&self) -> bool {
        true
    }

    async fn selected_options(&self) -> Vec<SelectedOption> {
        self.model()
            .options
            .0
            .iter()
            .map(|o| SelectedOption {
                name: o.name.clone(),
                value: o.value.clone(),
            })
            .collect()
    }

    /// The price in the operation's currency; zero when the variant is not sold in it (it
    /// cannot then be added to a cart in that currency).
    async fn price(&self, ctx: &Context<'_>) -> Result<MoneyV2> {
        let amount = self.price_row(ctx).await?.map_or(0, |p| p.amount);
        Ok(MoneyV2::from_minor(amount, self.0.currency()))
    }

    async fn compare_at_price(&self, ctx: &Context<'_>) -> Result<Option<MoneyV2>> {
        Ok(self
            .price_row(ctx)
            .await?
            .and_then(|p| p.compare_at_amount)
            .map(|a| MoneyV2::from_minor(a, self.0.currency())))
    }

    /// The variant's product (null when it is not visible).
    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        let request = ctx.request()?;
        let product = request
            .catalog
            .load_one(ProductById(self.model().product_id))
            .await?;
        Ok(product
            .filter(|p| is_visible(&request.viewer, p))
            .map(|p| Product::new(p, self.0.currency())))
    }

    /// The product's first image (variants have no images of their own).
    async fn image(&self, ctx: &Context<'_>) -> Result<Option<Image>> {
        Ok(images_of(ctx, self.model().product_id)
            .await?
            .into_iter()
            .next())
    }
}
