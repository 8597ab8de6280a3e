//! `search` and `searchSuggestions`. Hits are hydrated into products with one DataLoader
//! batch; facet values of categories get their names with another.

use super::backend::{FacetKind, SearchError};
use super::request::{self, SearchArguments};
use super::types::{
    ProductSearchFilter, ProductSearchHit, ProductSearchResult, SearchFacet, SearchFacetResult,
    SearchFacetValue, SearchHighlight, SearchSortKey,
};
use crate::catalog::loaders::{CategoryById, ProductById};
use crate::catalog::service::is_visible;
use crate::catalog::types::page_products;
use crate::common::money::CurrencyCode;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, Object, Result};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Default)]
pub struct SearchQuery;

/// Engine failures: an unreachable engine is a 503-style error clients may retry; anything
/// else is internal (logged, hidden).
pub(crate) fn engine_error(err: SearchError) -> ApiError {
    match err {
        SearchError::Unavailable(detail) => {
            tracing::warn!(%detail, "search engine unavailable");
            ApiError::Unavailable("search is temporarily unavailable; try again shortly".into())
        }
        SearchError::Engine(detail) => ApiError::Internal(detail),
    }
}

#[Object]
impl SearchQuery {
    /// Full-text product search (typo-tolerant; the last word also matches as a prefix) with
    /// filters, sorting and facet counts. An empty query lists every product that passes the
    /// filter, which suits category pages.
    #[graphql(
        complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1",
        cache_control(max_age = 30)
    )]
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: Option<String>,
        filter: Option<ProductSearchFilter>,
        sort_key: Option<SearchSortKey>,
        reverse: Option<bool>,
        facets: Option<Vec<SearchFacet>>,
        first: Option<i32>,
        offset: Option<i32>,
        currency: Option<CurrencyCode>,
    ) -> Result<ProductSearchResult> {
        let state = ctx.state()?;
        ctx.request()?.reads.search_index();
        let currency = currency.unwrap_or(state.settings.default_currency);
        let arguments = SearchArguments {
            query,
            filter,
            sort_key,
            reverse,
            facets,
            first,
            offset,
            currency,
        };
        let request = request::build(arguments, state.settings.max_page_size as usize)?;
        let results = state
            .search
            .backend
            .search(&request)
            .await
            .map_err(engine_error)?;
        let hits = hydrate(ctx, results.hits, currency).await?;
        let mut facets = Vec::with_capacity(results.facets.len());
        for counts in results.facets {
            facets.push(facet_result(ctx, counts.kind, counts.values).await?);
        }
        Ok(ProductSearchResult {
            hits,
            total_hits: i32::try_from(results.total_hits).unwrap_or(i32::MAX),
            facets,
            processing_time_ms: i32::try_from(results.processing_time_ms).unwrap_or(i32::MAX),
        })
    }

    /// Product names completing what was typed so far (typo-tolerant), best first: for
    /// autocomplete boxes.
    #[graphql(cache_control(max_age = 30))]
    async fn search_suggestions(
        &self,
        ctx: &Context<'_>,
        prefix: String,
        limit: Option<i32>,
    ) -> Result<Vec<String>> {
        let (prefix, limit) = request::suggestion(prefix, limit)?;
        if prefix.is_empty() {
            return Ok(Vec::new());
        }
        let state = ctx.state()?;
        ctx.request()?.reads.search_index();
        Ok(state
            .search
            .backend
            .suggest(&prefix, limit)
            .await
            .map_err(engine_error)?)
    }
}

/// The hits' products in one batch, in hit order. A hit whose product is gone or hidden
/// (the index lags the database by a moment) is left out.
async fn hydrate(
    ctx: &Context<'_>,
    hits: Vec<super::backend::SearchHit>,
    currency: CurrencyCode,
) -> ApiResult<Vec<ProductSearchHit>> {
    let request = ctx.request()?;
    let keys = hits.iter().map(|hit| ProductById(hit.product_id));
    let mut products = request.catalog.load_many(keys).await?;
    let (models, highlights): (Vec<_>, Vec<_>) = hits
        .into_iter()
        .filter_map(|hit| {
            let product = products.remove(&ProductById(hit.product_id))?;
            is_visible(&request.viewer, &product).then_some((product, hit.highlights))
        })
        .unzip();
    // The hits' products answer from memory: what `hits { product { … } }` selects of them
    // is read for all of them at once.
    let selection = ctx.look_ahead().field("hits").field("product");
    let products = page_products(ctx, selection, &models, currency).await;
    Ok(products
        .into_iter()
        .zip(highlights)
        .map(|(product, highlights)| ProductSearchHit {
            product,
            highlights: highlights
                .into_iter()
                .map(|h| SearchHighlight {
                    field: h.field,
                    snippet: h.snippet,
                })
                .collect(),
        })
        .collect())
}

async fn facet_result(
    ctx: &Context<'_>,
    kind: FacetKind,
    values: Vec<(String, usize)>,
) -> ApiResult<SearchFacetResult> {
    let name = match kind {
        FacetKind::Category => SearchFacet::Category,
        FacetKind::Brand => SearchFacet::Brand,
        FacetKind::PriceRange => SearchFacet::PriceRange,
        FacetKind::InStock => SearchFacet::InStock,
    };
    let labels: HashMap<Uuid, String> = if kind == FacetKind::Category {
        let keys = values
            .iter()
            .filter_map(|(value, _)| Uuid::parse_str(value).ok())
            .map(CategoryById);
        ctx.request()?
            .catalog
            .load_many(keys)
            .await?
            .into_iter()
            .map(|(key, category)| (key.0, category.name))
            .collect()
    } else {
        HashMap::new()
    };
    Ok(SearchFacetResult {
        name,
        values: values
            .into_iter()
            .map(|(value, count)| SearchFacetValue {
                label: Uuid::parse_str(&value)
                    .ok()
                    .and_then(|id| labels.get(&id).cloned()),
                count: i32::try_from(count).unwrap_or(i32::MAX),
                value,
            })
            .collect(),
    })
}
