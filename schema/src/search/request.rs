//! Search arguments → a validated, engine-neutral `SearchRequest`. Bad input is refused
//! with the argument's path, before the engine is asked.

use super::backend::{AttributeFilter, FacetKind, SearchFilter, SearchRequest, SortKey};
use super::types::{ProductSearchFilter, SearchFacet, SearchSortKey};
use crate::common::ids::parse_ids;
use crate::common::money::{CurrencyCode, Decimal};
use crate::error::{ApiError, ApiResult};

/// Longest query text: a sentence, not a document.
pub const MAX_QUERY_CHARS: usize = 200;
/// Deepest result reachable by paging: beyond it people refine, and engines slow down.
pub const MAX_OFFSET: usize = 10_000;
const MAX_FILTER_VALUES: usize = 100;
pub const MAX_SUGGESTIONS: i32 = 20;

pub struct SearchArguments {
    pub query: Option<String>,
    pub filter: Option<ProductSearchFilter>,
    pub sort_key: Option<SearchSortKey>,
    pub reverse: Option<bool>,
    pub facets: Option<Vec<SearchFacet>>,
    pub first: Option<i32>,
    pub offset: Option<i32>,
    pub currency: CurrencyCode,
}

pub fn build(args: SearchArguments, max_page_size: usize) -> ApiResult<SearchRequest> {
    let text = clean_text(args.query.unwrap_or_default(), "query")?;
    let limit = match args.first {
        None => 20,
        Some(n) if n < 0 || n as usize > max_page_size => {
            return Err(ApiError::bad_input(format!(
                "`first` must be between 0 and {max_page_size}"
            )));
        }
        Some(n) => n as usize,
    };
    let offset = match args.offset {
        None => 0,
        Some(n) if n < 0 || n as usize > MAX_OFFSET => {
            return Err(ApiError::bad_input(format!(
                "`offset` must be between 0 and {MAX_OFFSET}"
            )));
        }
        Some(n) => n as usize,
    };
    let mut facets: Vec<FacetKind> = Vec::new();
    for facet in args.facets.unwrap_or_default() {
        let kind = match facet {
            SearchFacet::Category => FacetKind::Category,
            SearchFacet::Brand => FacetKind::Brand,
            SearchFacet::PriceRange => FacetKind::PriceRange,
            SearchFacet::InStock => FacetKind::InStock,
        };
        if !facets.contains(&kind) {
            facets.push(kind);
        }
    }
    Ok(SearchRequest {
        text,
        filter: filter(args.filter.unwrap_or_default(), args.currency)?,
        sort: match args.sort_key.unwrap_or_default() {
            SearchSortKey::Relevance => SortKey::Relevance,
            SearchSortKey::Price => SortKey::Price,
            SearchSortKey::Created => SortKey::Created,
        },
        reverse: args.reverse.unwrap_or(false),
        currency: args.currency,
        facets,
        limit,
        offset,
    })
}

/// `searchSuggestions` arguments: the prefix (cleaned) and the limit.
pub fn suggestion(prefix: String, limit: Option<i32>) -> ApiResult<(String, usize)> {
    let prefix = clean_text(prefix, "prefix")?;
    let limit = limit.unwrap_or(5);
    if !(1..=MAX_SUGGESTIONS).contains(&limit) {
        return Err(ApiError::bad_input(format!(
            "`limit` must be between 1 and {MAX_SUGGESTIONS}"
        )));
    }
    Ok((prefix, limit as usize))
}

pub fn clean_text(text: String, argument: &str) -> ApiResult<String> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_input(format!(
            "`{argument}` must be at most {MAX_QUERY_CHARS} characters"
        )));
    }
    // Control characters carry no meaning in a query; a NUL would break some engines.
    Ok(text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned())
}

fn filter(input: ProductSearchFilter, currency: CurrencyCode) -> ApiResult<SearchFilter> {
    let too_many = |field: &str| {
        ApiError::bad_input(format!(
            "`filter.{field}` accepts at most {MAX_FILTER_VALUES} values"
        ))
    };
    let category_ids = input.category_ids.unwrap_or_default();
    if category_ids.len() > MAX_FILTER_VALUES {
        return Err(too_many("categoryIds"));
    }
    let brands = input.brands.unwrap_or_default();
    if brands.len() > MAX_FILTER_VALUES {
        return Err(too_many("brands"));
    }
    let attributes = input.attributes.unwrap_or_default();
    if attributes.len() > MAX_FILTER_VALUES
        || attributes
            .iter()
            .any(|a| a.values.len() > MAX_FILTER_VALUES)
    {
        return Err(too_many("attributes"));
    }
    let price = |amount: Option<Decimal>, field: &str| -> ApiResult<Option<i64>> {
        amount
            .map(|d| {
                if d.is_negative() {
                    return Err(ApiError::bad_input(format!(
                        "`filter.{field}` must not be negative"
                    )));
                }
                d.to_minor(currency)
                    .map_err(|e| ApiError::bad_input(format!("`filter.{field}`: {e}")))
            })
            .transpose()
    };
    let price_min = price(input.price_min, "priceMin")?;
    let price_max = price(input.price_max, "priceMax")?;
    if let (Some(min), Some(max)) = (price_min, price_max)
        && min > max
    {
        return Err(ApiError::bad_input(
            "`filter.priceMin` must not be greater than `filter.priceMax`",
        ));
    }
    let clean = |values: Vec<String>| -> Vec<String> {
        values
            .into_iter()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && !v.chars().any(char::is_control))
            .collect()
    };
    Ok(SearchFilter {
        category_ids: parse_ids(&category_ids, "filter.categoryIds")?,
        brands: clean(brands),
        price_min,
        price_max,
        in_stock: input.in_stock,
        attributes: attributes
            .into_iter()
            .map(|a| AttributeFilter {
                name: a.name.trim().to_owned(),
                values: clean(a.values),
            })
            .collect(),
    })
}
