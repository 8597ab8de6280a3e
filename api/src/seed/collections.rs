//! The demo catalog's collections: the two handles the Next.js Commerce home page asks for
//! (`hidden-homepage-featured-items`, `hidden-homepage-carousel`) and a few a storefront can
//! browse. Built from the generated products, so every catalog size gets them (smaller ones
//! with fewer members).

use chrono::{DateTime, Utc};
use entities::enums::ProductStatus;
use entities::{collection, collection_product, product};
use uuid::Uuid;

/// A collection and its members in order.
pub struct SeededCollection {
    pub collection: collection::Model,
    pub members: Vec<collection_product::Model>,
}

/// The categories a browsable collection draws from.
const FOOTWEAR: &[&str] = &["sneakers", "boots"];
const KITCHEN: &[&str] = &["kitchen"];

/// Builds the collections from `products` (in generation order); `category_of` names each
/// product's category slug.
pub fn collections(
    products: &[product::Model],
    category_of: impl Fn(&product::Model) -> Option<&'static str>,
    now: DateTime<Utc>,
) -> Vec<SeededCollection> {
    let active: Vec<&product::Model> = products
        .iter()
        .filter(|p| p.status == ProductStatus::Active)
        .collect();
    let featured: Vec<&product::Model> = active.iter().take(3).copied().collect();
    let carousel: Vec<&product::Model> = active.iter().skip(3).take(8).copied().collect();
    // Browsable collections keep every status, so shoppers and staff see them differ.
    let in_categories = |slugs: &[&str]| -> Vec<&product::Model> {
        products
            .iter()
            .filter(|p| category_of(p).is_some_and(|c| slugs.contains(&c)))
            .take(12)
            .collect()
    };
    // Every fifth product is on sale (see `add_product`): the ones with a compare-at price.
    let on_sale: Vec<&product::Model> = products.iter().step_by(5).take(24).collect();
    let plan = [
        (
            "hidden-homepage-featured-items",
            "Featured items",
            "Three picks for the home page grid.",
            featured,
        ),
        (
            "hidden-homepage-carousel",
            "Home page carousel",
            "The products that scroll past on the home page.",
            carousel,
        ),
        (
            "footwear-edit",
            "The Footwear Edit",
            "Sneakers and boots we like this season.",
            in_categories(FOOTWEAR),
        ),
        (
            "kitchen-essentials",
            "Kitchen Essentials",
            "What every kitchen needs.",
            in_categories(KITCHEN),
        ),
        ("sale", "Sale", "Everything with a reduced price.", on_sale),
    ];
    plan.into_iter()
        .map(|(handle, title, description, members)| {
            let id = Uuid::now_v7();
            SeededCollection {
                collection: collection::Model {
                    id,
                    handle: handle.into(),
                    title: title.into(),
                    description: Some(description.into()),
                    image_url: Some(format!(
                        "https://images.example.com/collections/{handle}.jpg"
                    )),
                    image_alt: Some(title.into()),
                    seo_title: None,
                    seo_description: None,
                    created_at: now,
                    updated_at: now,
                },
                members: members
                    .into_iter()
                    .zip(0..)
                    .map(|(p, position)| collection_product::Model {
                        collection_id: id,
                        product_id: p.id,
                        position,
                    })
                    .collect(),
            }
        })
        .collect()
}
