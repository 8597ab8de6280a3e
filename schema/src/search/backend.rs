//! The contract every search engine implements, and the engine-neutral request, result and
//! document types. Engines differ in how they store and rank; everything else (which
//! products are indexed, what the fields mean, facet values, typo rules) is decided here so
//! that both pass the same contract tests.

use crate::common::money::CurrencyCode;
use futures_util::future::BoxFuture;
use uuid::Uuid;

/// What a search engine says when it cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The engine could not be reached or timed out: worth retrying later.
    #[error("search engine unavailable: {0}")]
    Unavailable(String),
    /// The engine answered with an error: a bug or a misconfiguration.
    #[error("search engine error: {0}")]
    Engine(String),
}

pub type SearchResult<T> = Result<T, SearchError>;

/// A product as the search engines see it. Only ACTIVE products are indexed.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct ProductDocument {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub brand: Option<String>,
    /// The product's category and its ancestors, root first: filtering by a parent
    /// category finds the products of its subcategories too.
    pub category_ids: Vec<Uuid>,
    /// Names of the same categories, searchable as text ("shirts" finds a shirt that does
    /// not say so in its name).
    pub category_names: Vec<String>,
    pub skus: Vec<String>,
    /// Lowest and highest variant price per currency, in minor units.
    pub prices: Vec<PriceSpan>,
    pub in_stock: bool,
    /// Product attributes as `name=value` pairs, lower-cased for filtering.
    pub attributes: Vec<String>,
    /// Creation time in Unix milliseconds (the CREATED sort).
    pub created_at: i64,
    pub popularity: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PriceSpan {
    pub currency: CurrencyCode,
    pub min: i64,
    pub max: i64,
}

impl ProductDocument {
    /// The "from" price in `currency`: what price filters, price sorting and price-range
    /// facets use.
    pub fn price_in(&self, currency: CurrencyCode) -> Option<i64> {
        self.prices
            .iter()
            .find(|span| span.currency == currency)
            .map(|span| span.min)
    }
}

/// A product attribute filter: the product has attribute `name` with one of `values` (none:
/// nothing matches).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributeFilter {
    pub name: String,
    pub values: Vec<String>,
}

impl AttributeFilter {
    /// The indexed `name=value` keys this filter accepts (any of them).
    pub fn keys(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|value| attribute_key(&self.name, value))
            .collect()
    }
}

/// The attribute name a product's tags are indexed under; the leading `#` keeps it apart from
/// the attribute names staff give (Material, Colour …).
pub const TAG_ATTRIBUTE: &str = "#tag";
/// The attribute name a product's type (its category's name) is indexed under.
pub const PRODUCT_TYPE_ATTRIBUTE: &str = "#product_type";

/// How attributes are indexed: case-insensitive on both sides of `=`.
pub fn attribute_key(name: &str, value: &str) -> String {
    format!(
        "{}={}",
        name.trim().to_lowercase(),
        value.trim().to_lowercase()
    )
}

/// Every condition is ANDed; the values inside one condition are ORed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchFilter {
    pub category_ids: Vec<Uuid>,
    /// Exact brand names, compared case-insensitively.
    pub brands: Vec<String>,
    /// Bounds on the "from" price in the request's currency, minor units, inclusive.
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub in_stock: Option<bool>,
    pub attributes: Vec<AttributeFilter>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    #[default]
    Relevance,
    /// By the "from" price in the request's currency; cheapest first.
    Price,
    /// By creation time; oldest first.
    Created,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FacetKind {
    Category,
    Brand,
    PriceRange,
    InStock,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchRequest {
    /// Words to match; empty lists everything that passes the filter.
    pub text: String,
    pub filter: SearchFilter,
    pub sort: SortKey,
    /// Flips PRICE and CREATED (most expensive / newest first); ignored for RELEVANCE.
    pub reverse: bool,
    /// Prices, price filters and price facets are in this currency. Price filters and price
    /// sorting leave out products without a price in it.
    pub currency: CurrencyCode,
    pub facets: Vec<FacetKind>,
    pub limit: usize,
    pub offset: usize,
}

impl SearchRequest {
    /// Whether products without a price in the request's currency are left out.
    pub fn needs_price(&self) -> bool {
        self.sort == SortKey::Price
            || self.filter.price_min.is_some()
            || self.filter.price_max.is_some()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// `name` or `description`.
    pub field: String,
    /// The field's text (cropped around the matches for long text) with matched words in
    /// `<mark>…</mark>`; the rest of the text is HTML-escaped.
    pub snippet: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchHit {
    pub product_id: Uuid,
    pub name: String,
    pub highlights: Vec<Highlight>,
}

/// Facet values as indexed. Engines may differ on values that differ only in letter case
/// (Meilisearch merges them, the embedded engine does not); filters ignore case anyway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetCounts {
    pub kind: FacetKind,
    /// Values with their number of matching products, most frequent first (ties by value).
    pub values: Vec<(String, usize)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// Products matching the text and the filter (over all pages).
    pub total_hits: usize,
    pub facets: Vec<FacetCounts>,
    pub processing_time_ms: u64,
}

/// A full rebuild in progress: documents go to a new index that replaces the live one only
/// when [`IndexBuild::finish`] succeeds; searches keep using the old one until then.
pub trait IndexBuild: Send {
    fn add<'a>(&'a mut self, documents: &'a [ProductDocument]) -> BoxFuture<'a, SearchResult<()>>;
    /// Makes the new index the live one and drops the old.
    fn finish(self: Box<Self>) -> BoxFuture<'static, SearchResult<()>>;
}

/// A search engine holding product documents.
pub trait SearchBackend: Send + Sync {
    /// A short name for logs and `/readyz`: `tantivy` or `meilisearch`.
    fn name(&self) -> &'static str;

    /// Creates the index if needed and applies its settings (searchable, filterable and
    /// sortable attributes, ranking, typo tolerance). Called at start.
    fn prepare(&self) -> BoxFuture<'_, SearchResult<()>>;

    /// How many documents the live index holds.
    fn document_count(&self) -> BoxFuture<'_, SearchResult<u64>>;

    /// Adds or replaces documents (by id) and removes the documents of `deleted` products,
    /// visible to searches when the future resolves.
    fn apply<'a>(
        &'a self,
        upserts: &'a [ProductDocument],
        deleted: &'a [Uuid],
    ) -> BoxFuture<'a, SearchResult<()>>;

    fn search<'a>(
        &'a self,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, SearchResult<SearchResults>>;

    /// Product names that complete `prefix` (typo-tolerant), best first.
    fn suggest<'a>(
        &'a self,
        prefix: &'a str,
        limit: usize,
    ) -> BoxFuture<'a, SearchResult<Vec<String>>>;

    /// Starts a full rebuild aside from the live index.
    fn begin_rebuild(&self) -> BoxFuture<'_, SearchResult<Box<dyn IndexBuild>>>;

    /// Whether the engine answers.
    fn health(&self) -> BoxFuture<'_, SearchResult<()>>;
}

/// Price-range facet buckets, as lower bounds in major units of the request's currency; the
/// last bucket is open. The same bounds for every currency keep the facet simple to read
/// ("25-50") and wide enough for yen and kronor.
pub const PRICE_BUCKETS: [i64; 11] = [0, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/// The price-range facet value of a price in minor units: `"25-50"`, or `"10000-"` for the
/// open last bucket.
pub fn price_bucket(minor: i64, currency: CurrencyCode) -> String {
    let scale = 10i64.pow(currency.exponent());
    let major = minor.div_euclid(scale);
    let index = PRICE_BUCKETS
        .iter()
        .rposition(|&lower| major >= lower)
        .unwrap_or(0);
    match PRICE_BUCKETS.get(index + 1) {
        Some(upper) => format!("{}-{upper}", PRICE_BUCKETS[index]),
        None => format!("{}-", PRICE_BUCKETS[index]),
    }
}

/// Typo budget per query word, the same in every engine (Meilisearch's defaults): none below
/// 5 letters, one up to 8, two from 9.
pub fn typos_allowed(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_buckets_are_half_open_and_per_currency_scale() {
        assert_eq!(price_bucket(0, CurrencyCode::Usd), "0-10");
        assert_eq!(price_bucket(999, CurrencyCode::Usd), "0-10");
        assert_eq!(price_bucket(1000, CurrencyCode::Usd), "10-25");
        assert_eq!(price_bucket(4999, CurrencyCode::Eur), "25-50");
        assert_eq!(price_bucket(1_000_000, CurrencyCode::Usd), "10000-");
        assert_eq!(price_bucket(3000, CurrencyCode::Jpy), "2500-5000");
    }

    #[test]
    fn typo_budget_grows_with_word_length() {
        assert_eq!(typos_allowed("shoe"), 0);
        assert_eq!(typos_allowed("shrit"), 1);
        assert_eq!(typos_allowed("cotten"), 1);
        assert_eq!(typos_allowed("waterproof"), 2);
    }
}
