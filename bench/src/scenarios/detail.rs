//! `detail`: a product page — `product(slug:)` with everything the page shows (description,
//! attributes, images, category path, stock, every variant with options and prices), for a
//! slug picked at random from those read at setup.

use crate::load::{Rec, Scenario};
use serde_json::json;
use std::sync::Arc;

pub const QUERY: &str = "query($slug:String!){ product(slug:$slug){ id slug name description brand attributes{name value} images{url altText width height} category{id slug name parent{slug name}} availableForSale totalAvailable priceRange{minVariantPrice{amount currencyCode} maxVariantPrice{amount currencyCode}} variants{id sku name selectedOptions{name value} price{amount currencyCode} compareAtPrice{amount currencyCode} quantityAvailable availableForSale} } }";

/// The part of the answer checked: the product was found.
#[derive(serde::Deserialize)]
struct Answer {
    product: Option<serde::de::IgnoredAny>,
}

pub struct Detail {
    slugs: Arc<[String]>,
}

impl Detail {
    pub fn new(slugs: &[String]) -> Self {
        Self {
            slugs: slugs.into(),
        }
    }
}

impl Scenario for Detail {
    async fn iteration(&self, rec: &mut Rec) {
        let slug = &self.slugs[fastrand::usize(..self.slugs.len())];
        if let Some(answer) = rec
            .call_typed::<Answer>("detail", QUERY, &json!({ "slug": slug }))
            .await
            && answer.product.is_none()
        {
            rec.fail("detail", format!("product {slug:?} not found"));
        }
    }
}
