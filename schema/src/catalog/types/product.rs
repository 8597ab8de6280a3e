use super::product_in_memory::{Held, image_of, options_of, price_range_of, total_available_of};
use super::{Category, Collection, ProductVariant};
use crate::catalog::loaders::{
    CategoryWithParent, CollectionsOfProduct, ImagesOfProduct, VariantOffer, VariantOffersOfProduct,
};
use crate::common::in_memory::{InMemory, InMemoryObject, nested};
use crate::common::money::{CurrencyCode, Money};
use crate::common::seo::Seo;
use crate::context::ContextExt;
use async_graphql::{Context, Enum, ID, InputType, Object, Result, SimpleObject, Value};
use chrono::{DateTime, Utc};
use entities::product;
use std::sync::Arc;

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
    /// What was read for the product with the rest of its page (`page_products`): it then
    /// answers from memory. Empty elsewhere: fields load, batched.
    pub(super) held: Held,
}

impl Product {
    pub fn new(model: product::Model, currency: CurrencyCode) -> Self {
        Self::holding(model, currency, Held::default())
    }

    pub(super) fn holding(model: product::Model, currency: CurrencyCode, held: Held) -> Self {
        Self {
            model,
            currency,
            held,
        }
    }

    /// The variants with their prices and stock. `variants`, `priceRange`, `totalAvailable`
    /// and `availableForSale` all derive from this one load, so together they cost one
    /// statement per batch of products.
    async fn offers(&self, ctx: &Context<'_>) -> Result<Arc<[VariantOffer]>> {
        if let Some(offers) = &self.held.offers {
            return Ok(offers.clone());
        }
        offers_of(ctx, self.model.id).await
    }

    pub(super) fn attribute_list(&self) -> Vec<Attribute> {
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
}

/// The variants of `product` with their prices and stock: one batched read for every product
/// of the answer (the Shopify-shaped endpoint's products read them the same way).
pub async fn offers_of(ctx: &Context<'_>, product: uuid::Uuid) -> Result<Arc<[VariantOffer]>> {
    Ok(ctx
        .request()?
        .catalog
        .load_one(VariantOffersOfProduct(product))
        .await?
        .unwrap_or_else(|| Arc::new([])))
}

/// The lowest and highest variant price of a product in one currency.
#[derive(SimpleObject, Clone, Debug)]
pub struct PriceRange {
    pub min_variant_price: Money,
    pub max_variant_price: Money,
}

impl InMemoryObject for PriceRange {
    fn field(&self, field: &Context<'_>) -> Option<Value> {
        match field.item.node.name.node.as_str() {
            "minVariantPrice" => nested(&self.min_variant_price, field),
            "maxVariantPrice" => nested(&self.max_variant_price, field),
            _ => None,
        }
    }
}

/// A product image.
#[derive(SimpleObject, Clone, Debug)]
pub struct Image {
    pub url: String,
    pub alt_text: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

impl InMemoryObject for Image {
    fn field(&self, field: &Context<'_>) -> Option<Value> {
        Some(match field.item.node.name.node.as_str() {
            "url" => self.url.to_value(),
            "altText" => self.alt_text.to_value(),
            "width" => self.width.to_value(),
            "height" => self.height.to_value(),
            _ => return None,
        })
    }
}

/// Longest SEO description made from the plain description.
const SEO_DESCRIPTION_FALLBACK_LEN: usize = 320;

/// An option the product's variants differ in, e.g. `Size` with `S`, `M`, `L`.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct ProductOption {
    pub name: String,
    /// In order of first appearance among the variants.
    pub values: Vec<String>,
}

impl InMemoryObject for ProductOption {
    fn field(&self, field: &Context<'_>) -> Option<Value> {
        Some(match field.item.node.name.node.as_str() {
            "name" => self.name.to_value(),
            "values" => self.values.to_value(),
            _ => return None,
        })
    }
}

/// The options of variants in display order: names in order of first appearance, each with
/// its values in order of first appearance, without repeats.
pub fn product_options<'a>(
    variants: impl IntoIterator<Item = &'a entities::json::NameValueList>,
) -> Vec<ProductOption> {
    let mut options: Vec<ProductOption> = Vec::new();
    for selected in variants.into_iter().flat_map(|list| &list.0) {
        let index = match options.iter().position(|o| o.name == selected.name) {
            Some(index) => index,
            None => {
                options.push(ProductOption {
                    name: selected.name.clone(),
                    values: Vec::new(),
                });
                options.len() - 1
            }
        };
        let values = &mut options[index].values;
        if !values.contains(&selected.value) {
            values.push(selected.value.clone());
        }
    }
    options
}

/// A descriptive product attribute, e.g. `Material: Cotton`.
#[derive(SimpleObject, Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub value: String,
}

impl InMemoryObject for Attribute {
    fn field(&self, field: &Context<'_>) -> Option<Value> {
        Some(match field.item.node.name.node.as_str() {
            "name" => self.name.to_value(),
            "value" => self.value.to_value(),
            _ => return None,
        })
    }
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

    /// Plain text.
    async fn description(&self) -> Option<&str> {
        self.model.description.as_deref()
    }

    /// The rich description: HTML sanitised when it was saved, safe to insert as element
    /// content.
    async fn description_html(&self) -> Option<&str> {
        self.model.description_html.as_deref()
    }

    /// Tags in the order staff gave them.
    async fn tags(&self) -> &[String] {
        &self.model.tags.0
    }

    async fn seo(&self) -> Seo {
        let description = self.model.seo_description.clone().or_else(|| {
            let plain = self.model.description.as_deref()?;
            Some(plain.chars().take(SEO_DESCRIPTION_FALLBACK_LEN).collect())
        });
        // Staff's SEO title, else the product's name: never null for a product.
        Seo {
            title: Some(
                self.model
                    .seo_title
                    .clone()
                    .unwrap_or_else(|| self.model.name.clone()),
            ),
            description,
        }
    }

    /// The options the variants are chosen by, derived from the variants' selected options
    /// (read with the variants: no statement of its own).
    async fn options(&self, ctx: &Context<'_>) -> Result<Vec<InMemory<ProductOption>>> {
        let offers = self.offers(ctx).await?;
        Ok(options_of(&offers).into_iter().map(InMemory).collect())
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
        // With its parent: product pages show the category path.
        let loaded = ctx
            .request()?
            .catalog
            .load_one(CategoryWithParent(category_id))
            .await?;
        Ok(loaded.map(|(category, parent)| Category::with_parent(category, parent, self.currency)))
    }

    /// The collections the product is in, by title. Batched: on a listing, one statement for
    /// all its products.
    #[graphql(complexity = "10 * child_complexity")]
    async fn collections(&self, ctx: &Context<'_>) -> Result<Vec<Collection>> {
        let collections = ctx
            .request()?
            .catalog
            .load_one(CollectionsOfProduct(self.model.id))
            .await?
            .unwrap_or_default();
        Ok(collections
            .into_iter()
            .map(|c| Collection::new(c, self.currency))
            .collect())
    }

    /// Images in display order.
    #[graphql(complexity = "5 * child_complexity")]
    async fn images(&self, ctx: &Context<'_>) -> Result<Vec<InMemory<Image>>> {
        let loaded;
        let images = match &self.held.images {
            Some(images) => images,
            None => {
                loaded = ctx
                    .request()?
                    .catalog
                    .load_one(ImagesOfProduct(self.model.id))
                    .await?
                    .unwrap_or_default();
                &loaded
            }
        };
        Ok(images.iter().map(|i| InMemory(image_of(i))).collect())
    }

    /// Variants in display order.
    #[graphql(complexity = "10 * child_complexity")]
    async fn variants(&self, ctx: &Context<'_>) -> Result<Vec<InMemory<ProductVariant>>> {
        Ok(self
            .offers(ctx)
            .await?
            .iter()
            .map(|offer| InMemory(ProductVariant::from_offer(offer.clone(), self.currency)))
            .collect())
    }

    /// Lowest and highest variant price; null when no variant is priced in the currency.
    async fn price_range(
        &self,
        ctx: &Context<'_>,
        currency: Option<CurrencyCode>,
    ) -> Result<Option<InMemory<PriceRange>>> {
        let currency = currency.unwrap_or(self.currency);
        let offers = self.offers(ctx).await?;
        Ok(price_range_of(&offers, currency).map(InMemory))
    }

    /// Whether any variant can be bought now.
    async fn available_for_sale(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.total_available(ctx).await? > 0)
    }

    /// Units available to sell across all variants and warehouses.
    async fn total_available(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(total_available_of(&self.offers(ctx).await?))
    }

    async fn attributes(&self) -> Vec<InMemory<Attribute>> {
        self.attribute_list().into_iter().map(InMemory).collect()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }
}

#[cfg(test)]
mod tests {
    use super::product_options;
    use entities::json::{NameValue, NameValueList};

    fn variant(options: &[(&str, &str)]) -> NameValueList {
        NameValueList(
            options
                .iter()
                .map(|(name, value)| NameValue {
                    name: (*name).to_owned(),
                    value: (*value).to_owned(),
                })
                .collect(),
        )
    }

    #[test]
    fn options_keep_the_order_of_first_appearance() {
        let variants = [
            variant(&[("Size", "M"), ("Colour", "Red")]),
            variant(&[("Size", "S"), ("Colour", "Red")]),
            variant(&[("Size", "M"), ("Colour", "Blue")]),
            variant(&[]),
        ];
        let options = product_options(&variants);
        let got: Vec<(&str, Vec<&str>)> = options
            .iter()
            .map(|o| {
                (
                    o.name.as_str(),
                    o.values.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [("Size", vec!["M", "S"]), ("Colour", vec!["Red", "Blue"])]
        );
    }
}
