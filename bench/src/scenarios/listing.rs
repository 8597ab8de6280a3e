//! `listing`: a product listing page — the first 24 products with their price range,
//! images and variants (`products(first: 24, currency: USD)`).

use crate::load::{Rec, Scenario};
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

impl Scenario for Listing {
    async fn iteration(&self, rec: &mut Rec) {
        if let Some(data) = rec.call("listing", QUERY, &self.variables).await
            && data["products"]["nodes"]
                .as_array()
                .is_none_or(Vec::is_empty)
        {
            rec.fail("listing", "no products in the answer");
        }
    }
}
