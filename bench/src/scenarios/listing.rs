//! `listing`: a product listing page — the first 24 products with their price range,
//! images and variants (`products(first: 24, currency: USD)`).

use crate::load::{Rec, Scenario};
use serde::de::IgnoredAny;
use serde_json::{Value, json};

pub const QUERY: &str = "query($first:Int!,$currency:CurrencyCode){ products(first:$first,currency:$currency){ totalCount pageInfo{hasNextPage endCursor} nodes{ id slug name brand availableForSale images{url altText width height} priceRange{ minVariantPrice{amount currencyCode} maxVariantPrice{amount currencyCode} } variants{ id sku price{amount currencyCode} quantityAvailable availableForSale } } } }";

pub fn variables() -> Value {
    json!({ "first": 24, "currency": "USD" })
}

pub struct Listing {
    variables: Value,
}

impl Default for Listing {
    fn default() -> Self {
        Self {
            variables: variables(),
        }
    }
}

/// The part of the answer checked: the page has products.
#[derive(serde::Deserialize)]
struct Answer {
    products: Page,
}

#[derive(serde::Deserialize)]
struct Page {
    nodes: Vec<IgnoredAny>,
}

impl Scenario for Listing {
    async fn iteration(&self, rec: &mut Rec) {
        if let Some(answer) = rec
            .call_typed::<Answer>("listing", QUERY, &self.variables)
            .await
            && answer.products.nodes.is_empty()
        {
            rec.fail("listing", "no products in the answer");
        }
    }
}
