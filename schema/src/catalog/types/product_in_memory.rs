//! A page's products answered from memory.
//!
//! A grid of 24 products asks each product for its id, name, images, price range, variants
//! and availability: about ten fields, each resolved by async-graphql as a future of its own,
//! and the ones that read (images, offers) each awaiting the batched load for the page. The
//! connection instead reads what the page's selection needs for all its products first (the
//! same two batched statements), hands each product its share, and the product answers its
//! fields in one walk (`common::in_memory`). A product whose selection asks for anything
//! else (its category, collections, SEO, a variant's product) is answered by the derived
//! resolver, which loads as before.

use super::variant::currency_argument;
use super::{
    Image, PriceRange, Product, ProductOption, ProductStatus, ProductVariant, product_options,
};
use crate::catalog::loaders::{ImagesOfProduct, VariantOffer, VariantOffersOfProduct};
use crate::common::in_memory::{InMemory, InMemoryObject, nested, nested_list};
use crate::common::money::{CurrencyCode, Money};
use crate::context::ContextExt;
use async_graphql::{Context, InputType, Lookahead, Value};
use entities::{product, product_image};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// What was read for a product together with the rest of its page.
#[derive(Default)]
pub(super) struct Held {
    pub offers: Option<Arc<[VariantOffer]>>,
    pub images: Option<Vec<product_image::Model>>,
}

/// Fields answered from the variants' offers.
const OFFER_FIELDS: [&str; 5] = [
    "variants",
    "priceRange",
    "availableForSale",
    "totalAvailable",
    "options",
];

/// The products of a page, each holding what `selection` (the selection of one product:
/// `nodes`, or `edges { node }`) reads, loaded for the whole page at once.
///
/// A failed load is not reported here: the products then hold nothing, and the fields that
/// need it load again and report the error where it belongs.
pub async fn page_products<'a>(
    ctx: &Context<'_>,
    selection: Lookahead<'_>,
    models: impl IntoIterator<Item = &'a product::Model>,
    currency: CurrencyCode,
) -> Vec<InMemory<Product>> {
    let models: Vec<&product::Model> = models.into_iter().collect();
    let ids = || models.iter().map(|m| m.id);
    let wants_offers = OFFER_FIELDS.iter().any(|f| selection.field(f).exists());
    let wants_images = selection.field("images").exists();
    let (mut offers, mut images) = match ctx.request() {
        Ok(request) => {
            let loader = &request.catalog;
            let offers = async {
                if !wants_offers {
                    return None;
                }
                let keys = ids().map(VariantOffersOfProduct);
                let loaded = loader.load_many(keys).await.ok()?;
                Some(by_product(loaded, |key| key.0))
            };
            let images = async {
                if !wants_images {
                    return None;
                }
                let loaded = loader.load_many(ids().map(ImagesOfProduct)).await.ok()?;
                Some(by_product(loaded, |key| key.0))
            };
            futures_util::join!(offers, images)
        }
        Err(_) => (None, None),
    };
    models
        .into_iter()
        .map(|model| {
            // A product absent from a successful load has none (the loaders leave such keys
            // out), as `load_one` answers.
            let held = Held {
                offers: offers
                    .as_mut()
                    .map(|o| o.remove(&model.id).unwrap_or_else(|| Arc::new([]))),
                images: images
                    .as_mut()
                    .map(|i| i.remove(&model.id).unwrap_or_default()),
            };
            InMemory(Product::holding(model.clone(), currency, held))
        })
        .collect()
}

fn by_product<K, V>(loaded: HashMap<K, V>, id: impl Fn(&K) -> Uuid) -> HashMap<Uuid, V> {
    loaded.into_iter().map(|(k, v)| (id(&k), v)).collect()
}

/// The lowest and highest of the variants' prices in `currency`; `None` when no variant is
/// priced in it. The same min/max `refresh_price_ranges` stores for sorting and filtering,
/// computed from the rows the variants were read with.
pub(super) fn price_range_of(
    offers: &[VariantOffer],
    currency: CurrencyCode,
) -> Option<PriceRange> {
    let amounts = offers
        .iter()
        .flat_map(|o| &o.prices)
        .filter(|p| p.currency_code == currency.as_str())
        .map(|p| p.amount);
    let (min, max) = amounts.fold(None, |range: Option<(i64, i64)>, amount| {
        Some(range.map_or((amount, amount), |(min, max)| {
            (min.min(amount), max.max(amount))
        }))
    })?;
    Some(PriceRange {
        min_variant_price: Money::from_minor(min, currency),
        max_variant_price: Money::from_minor(max, currency),
    })
}

/// The options the variants are chosen by (read with the variants).
pub(super) fn options_of(offers: &[VariantOffer]) -> Vec<ProductOption> {
    product_options(offers.iter().map(|o| &o.variant.options))
}

/// Units available to sell across the variants, capped at the largest GraphQL `Int`.
pub(super) fn total_available_of(offers: &[VariantOffer]) -> i32 {
    let available: i64 = offers.iter().map(|o| o.available).sum();
    i32::try_from(available).unwrap_or(i32::MAX)
}

/// The image as the schema shows it.
pub(super) fn image_of(row: &product_image::Model) -> Image {
    Image {
        url: row.url.clone(),
        alt_text: row.alt_text.clone(),
        width: row.width,
        height: row.height,
    }
}

impl InMemoryObject for Product {
    fn field(&self, field: &Context<'_>) -> Option<Value> {
        let model = &self.model;
        let offers = || self.held.offers.as_deref();
        Some(match field.item.node.name.node.as_str() {
            "id" => Value::String(model.id.to_string()),
            "slug" => model.slug.to_value(),
            "name" => model.name.to_value(),
            "description" => model.description.to_value(),
            "descriptionHtml" => model.description_html.to_value(),
            "brand" => model.brand.to_value(),
            "tags" => model.tags.0.to_value(),
            "status" => ProductStatus::from(model.status).to_value(),
            "createdAt" => model.created_at.to_value(),
            "updatedAt" => model.updated_at.to_value(),
            "attributes" => nested_list(&self.attribute_list(), field)?,
            "images" => {
                let images: Vec<Image> = self.held.images.as_ref()?.iter().map(image_of).collect();
                nested_list(&images, field)?
            }
            "variants" => {
                let variants: Vec<ProductVariant> = offers()?
                    .iter()
                    .map(|offer| ProductVariant::from_offer(offer.clone(), self.currency))
                    .collect();
                nested_list(&variants, field)?
            }
            "priceRange" => {
                let currency = currency_argument(field)?.unwrap_or(self.currency);
                match price_range_of(offers()?, currency) {
                    Some(range) => nested(&range, field)?,
                    None => Value::Null,
                }
            }
            "options" => nested_list(&options_of(offers()?), field)?,
            "availableForSale" => (total_available_of(offers()?) > 0).to_value(),
            "totalAvailable" => total_available_of(offers()?).to_value(),
            _ => return None,
        })
    }
}
