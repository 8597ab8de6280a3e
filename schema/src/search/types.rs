//! GraphQL types of search.

use crate::catalog::types::Product;
use crate::common::in_memory::InMemory;
use crate::common::money::Decimal;
use async_graphql::{Enum, ID, InputObject, SimpleObject};

#[derive(InputObject, Default)]
pub struct ProductSearchFilter {
    /// Products in any of these categories or their subcategories.
    pub category_ids: Option<Vec<ID>>,
    /// Products of any of these brands (case-insensitive, whole brand).
    pub brands: Option<Vec<String>>,
    /// The lowest variant price (in the search currency) is at least this.
    pub price_min: Option<Decimal>,
    /// The lowest variant price (in the search currency) is at most this.
    pub price_max: Option<Decimal>,
    /// true: products with stock to sell; false: sold-out products.
    pub in_stock: Option<bool>,
    /// Every filter must hold: the product has the attribute with one of the values.
    pub attributes: Option<Vec<AttributeFilterInput>>,
}

#[derive(InputObject, Clone)]
pub struct AttributeFilterInput {
    pub name: String,
    /// Any of these values (case-insensitive).
    pub values: Vec<String>,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SearchFacet {
    /// Values are category ids (with the category name as `label`); a product counts for
    /// its category and every ancestor.
    Category,
    Brand,
    /// Values are price buckets of the lowest variant price in the search currency,
    /// `"25-50"` (from 25 inclusive to 50 exclusive) or `"10000-"` (open-ended).
    PriceRange,
    /// Values are `"true"` and `"false"`.
    InStock,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum SearchSortKey {
    /// Best match first (ties: more popular first). `reverse` does not apply.
    #[default]
    Relevance,
    /// Lowest variant price in the search currency, cheapest first (`reverse`: dearest
    /// first); products not priced in it are left out.
    Price,
    /// Creation time, oldest first (`reverse`: newest first).
    Created,
}

#[derive(SimpleObject)]
pub struct ProductSearchResult {
    pub hits: Vec<ProductSearchHit>,
    /// Matching products over all pages.
    pub total_hits: i32,
    /// The facets asked for, counted over the whole filtered result, in the order asked.
    pub facets: Vec<SearchFacetResult>,
    /// Time the search engine took.
    pub processing_time_ms: i32,
}

#[derive(SimpleObject)]
pub struct ProductSearchHit {
    pub product: InMemory<Product>,
    /// Where the query matched: `name` and, when it matched there, `description` (cropped).
    pub highlights: Vec<SearchHighlight>,
}

#[derive(SimpleObject)]
pub struct SearchHighlight {
    /// `name` or `description`.
    pub field: String,
    /// HTML: the field's text, escaped, with matched words in `<mark>…</mark>`.
    pub snippet: String,
}

#[derive(SimpleObject)]
pub struct SearchFacetResult {
    pub name: SearchFacet,
    /// Most frequent first.
    pub values: Vec<SearchFacetValue>,
}

#[derive(SimpleObject)]
pub struct SearchFacetValue {
    /// What to filter by: a category id, a brand, a price bucket, `"true"`/`"false"`.
    pub value: String,
    pub count: i32,
    /// A display name where the value is not one (category names).
    pub label: Option<String>,
}
