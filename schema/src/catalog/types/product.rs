use super::{Category, ProductVariant};
use crate::catalog::loaders::{
    CategoryById, ImagesOfProduct, PriceRangesOfProduct, VariantsOfProduct,
};
use crate::common::money::{CurrencyCode, Money};
use crate::context::ContextExt;
use crate::inventory::loaders::AvailableOfProduct;
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entities::product;

/// Publication state of a product. Only ACTIVE products are visible to the public.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entities::enums::ProductStatus")]
pub enum ProductStatus {
    Draft,
    Active,
    Archived,
}

/// A product as a storefront shows it; variants carry SKUs, prices and stock.
pub struct Product {
    pub model: product::Model,
    /// The currency prices are shown in unless a field names another one.
    pub currency: CurrencyCode,
}

impl Product {
    pub fn new(model: product::Model, currency: CurrencyCode) -> Self {
        Self { model, currency }
    }
}

/// The lowest and highest variant price of a product in one currency.
#[derive(SimpleObject, Clone, Debug)]
pub struct PriceRange {
    pub min_variant_price: Money,
    pub max_variant_price: Money,
}

/// A product image.
#[derive(SimpleObject, Clone, Debug)]
pub struct Image {
    pub url: String,
    pub alt_text: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

/// A descriptive product attribute, e.g. `Material: Cotton`.
#[derive(SimpleObject, Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub value: String,
}

#[Object]
impl Product {
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }

    /// URL-friendly unique handle.
    async fn slug(&self) -> &str {
        &self.model.slug
    }

    async fn name(&self) -> &str {
        &self.model.name
    }

    async fn description(&self) -> Option<&str> {
        self.model.description.as_deref()
    }

    async fn brand(&self) -> Option<&str> {
        self.model.brand.as_deref()
    }

    async fn status(&self) -> ProductStatus {
        self.model.status.into()
    }

    async fn category(&self, ctx: &Context<'_>) -> Result<Option<Category>> {
        let Some(category_id) = self.model.category_id else {
            return Ok(None);
        };
        let loaded = ctx
            .request()?
            .catalog
            .load_one(CategoryById(category_id))
            .await?;
        Ok(loaded.map(|c| Category::new(c, self.currency)))
    }

    /// Images in display order.
    #[graphql(complexity = "5 * child_complexity")]
    async fn images(&self, ctx: &Context<'_>) -> Result<Vec<Image>> {
        let images = ctx
            .request()?
            .catalog
            .load_one(ImagesOfProduct(self.model.id))
            .await?
            .unwrap_or_default();
        Ok(images
            .into_iter()
            .map(|i| Image {
                url: i.url,
                alt_text: i.alt_text,
                width: i.width,
                height: i.height,
            })
            .collect())
    }

    /// Variants in display order.
    #[graphql(complexity = "10 * child_complexity")]
    async fn variants(&self, ctx: &Context<'_>) -> Result<Vec<ProductVariant>> {
        let variants = ctx
            .request()?
            .catalog
            .load_one(VariantsOfProduct(self.model.id))
            .await?
            .unwrap_or_default();
        Ok(variants
            .into_iter()
            .map(|v| ProductVariant::new(v, self.currency))
            .collect())
    }

    /// Lowest and highest variant price; null when no variant is priced in the currency.
    async fn price_range(
        &self,
        ctx: &Context<'_>,
        currency: Option<CurrencyCode>,
    ) -> Result<Option<PriceRange>> {
        let currency = currency.unwrap_or(self.currency);
        let ranges = ctx
            .request()?
            .catalog
            .load_one(PriceRangesOfProduct(self.model.id))
            .await?
            .unwrap_or_default();
        Ok(ranges
            .into_iter()
            .find(|r| r.currency_code == currency.as_str())
            .map(|r| PriceRange {
                min_variant_price: Money::from_minor(r.min_amount, currency),
                max_variant_price: Money::from_minor(r.max_amount, currency),
            }))
    }

    /// Whether any variant can be bought now.
    async fn available_for_sale(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.total_available(ctx).await? > 0)
    }

    /// Units available to sell across all variants and warehouses.
    async fn total_available(&self, ctx: &Context<'_>) -> Result<i32> {
        let available = ctx
            .request()?
            .inventory
            .load_one(AvailableOfProduct(self.model.id))
            .await?
            .unwrap_or(0);
        Ok(i32::try_from(available).unwrap_or(i32::MAX))
    }

    async fn attributes(&self) -> Vec<Attribute> {
        self.model
            .attributes
            .0
            .iter()
            .map(|a| Attribute {
                name: a.name.clone(),
                value: a.value.clone(),
            })
            .collect()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }
}
