//! The endpoint's query fields. Like `/graphql`'s resolvers they read arguments, call the
//! owning context's loaders and services, and wrap what comes back in the Shopify-shaped
//! types; the currency is the one `@inContext(country:)` implies.

use super::cart::Cart;
use super::collection::Collection;
use super::connection::{CollectionConnection, Listed, PageConnection, ProductConnection};
use super::content::{Menu, Page};
use super::ids;
use super::in_context::{country_of, currency_for};
use super::product::Product;
use super::search_syntax::{self, ShopifyQuery};
use super::sort_keys::{CollectionSortKeys, ProductSortKeys};
use crate::carts::service::{access, view};
use crate::catalog::loaders::ProductById;
use crate::catalog::lookup::{self, By};
use crate::catalog::service::collections::{COLLECTION_CURSOR_KEY, list_collections};
use crate::catalog::service::is_visible;
use crate::catalog::service::products::{ProductListing, ProductOrder, list_products};
use crate::common::money::CurrencyCode;
use crate::common::pagination::{DEFAULT_PAGE_SIZE, Direction, PageArgs, PageInfo, PageRequest};
use crate::content::service::{links, menus, pages};
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::search::backend::{SearchRequest, SortKey};
use crate::search::query::engine_error;
use crate::search::request::{MAX_OFFSET, clean_text};
use async_graphql::{Context, ID, Object, Result};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// Most products `productRecommendations` returns.
const RECOMMENDATIONS: u64 = 10;

#[derive(Default)]
pub struct CompatQuery;

/// The currency of this operation: the `@inContext` country's, else the store's default.
pub fn currency(ctx: &Context<'_>) -> ApiResult<CurrencyCode> {
    Ok(currency_for(
        country_of(ctx),
        ctx.state()?.settings.default_currency,
    ))
}

fn parse_gid(id: &ID, kind: &str, argument: &str) -> ApiResult<Uuid> {
    ids::parse(id, kind).map_err(|problem| ApiError::bad_input(format!("`{argument}`: {problem}")))
}

/// One of `id` (a global id of `kind`) or `handle`, as Shopify's lookups take them.
fn by(id: Option<ID>, handle: Option<String>, kind: &str) -> ApiResult<By> {
    match (id, handle) {
        (Some(id), None) => Ok(By::Id(parse_gid(&id, kind, "id")?)),
        (None, Some(handle)) => Ok(By::Handle(handle)),
        _ => Err(ApiError::bad_input("pass exactly one of `id` or `handle`")),
    }
}

#[Object]
impl CompatQuery {
    /// A product by handle or id; null when there is none visible.
    #[graphql(cache_control(max_age = 30))]
    async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        handle: Option<String>,
    ) -> Result<Option<Product>> {
        let found = lookup::visible_product(ctx, by(id, handle, "Product")?).await?;
        let currency = currency(ctx)?;
        Ok(found.map(|p| Product::new(p, currency)))
    }

    /// Products: all of them in a sort order, or those matching a query in Shopify's search
    /// syntax (free text, `title:`, `tag:`, `product_type:`, `vendor:`,
    /// `available_for_sale:`), answered by the search engine.
    #[graphql(
        complexity = "first.or(last).unwrap_or(20).clamp(0, 250) as usize * child_complexity + 1",
        cache_control(max_age = 30)
    )]
    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<ProductSortKeys>,
        query: Option<String>,
    ) -> Result<ProductConnection> {
        let currency = currency(ctx)?;
        let text = clean_text(query.unwrap_or_default(), "query")?;
        let parsed = search_syntax::parse(&text)
            .map_err(|m| ApiError::bad_input(format!("`query`: {m}")))?;
        let reverse = reverse.unwrap_or(false);
        let sort_key = sort_key.unwrap_or(ProductSortKeys::Id);
        if parsed.is_empty() {
            let args = PageArgs {
                first,
                after,
                last,
                before,
            };
            return Ok(listed(ctx, args, sort_key, reverse, currency).await?);
        }
        if last.is_some() || before.is_some() {
            return Err(ApiError::bad_input(
                "a product query is paged forward: pass `first` and `after`",
            )
            .into());
        }
        Ok(searched(ctx, parsed, first, after, sort_key, reverse, currency).await?)
    }

    /// Products to show beside this one: the best sellers of its category (else of the
    /// store), itself left out.
    #[graphql(cache_control(max_age = 30))]
    async fn product_recommendations(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
    ) -> Result<Option<Vec<Product>>> {
        let request = ctx.request()?;
        let id = parse_gid(&product_id, "Product", "productId")?;
        let Some(product) = request
            .catalog
            .load_one(ProductById(id))
            .await?
            .filter(|p| is_visible(&request.viewer, p))
        else {
            return Ok(None);
        };
        let currency = currency(ctx)?;
        let mut listing = ProductListing::new(currency);
        listing.order = ProductOrder::UnitsSold;
        listing.reverse = true;
        listing.category_ids = product.category_id.into_iter().collect();
        let page = PageRequest {
            limit: RECOMMENDATIONS + 1,
            direction: Direction::Forward,
            cursor: None,
        };
        let page = list_products(&request.catalog_db, &listing, &page).await?;
        Ok(Some(
            page.items
                .into_iter()
                .map(|(_, p)| p)
                .filter(|p| p.id != id)
                .take(RECOMMENDATIONS as usize)
                .map(|p| Product::new(p, currency))
                .collect(),
        ))
    }

    /// A collection by handle or id.
    #[graphql(cache_control(max_age = 30))]
    async fn collection(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        handle: Option<String>,
    ) -> Result<Option<Collection>> {
        let found = lookup::collection(ctx, by(id, handle, "Collection")?).await?;
        let currency = currency(ctx)?;
        Ok(found.map(|c| Collection::new(c, currency)))
    }

    /// Collections by title.
    #[graphql(
        complexity = "first.or(last).unwrap_or(20).clamp(0, 250) as usize * child_complexity + 1",
        cache_control(max_age = 30)
    )]
    #[allow(clippy::too_many_arguments)]
    async fn collections(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(name = "sortKey")] _sort_key: Option<CollectionSortKeys>,
    ) -> Result<CollectionConnection> {
        let state = ctx.state()?;
        let page = PageArgs {
            first,
            after,
            last,
            before,
        }
        .validate(state.settings.max_page_size, COLLECTION_CURSOR_KEY)?;
        let page = list_collections(&ctx.request()?.catalog_db, &page).await?;
        let currency = currency(ctx)?;
        Ok(Listed::from_page(page, |c| Collection::new(c, currency)).into())
    }

    /// A navigation menu by handle.
    #[graphql(cache_control(max_age = 30))]
    async fn menu(&self, ctx: &Context<'_>, handle: String) -> Result<Option<Menu>> {
        let db = &ctx.state()?.db;
        let Some(stored) = menus::by_handle(db, &handle).await? else {
            return Ok(None);
        };
        let links = links::resolve(db, stored.items.clone()).await?;
        Ok(Some(Menu { stored, links }))
    }

    /// A published page by handle.
    #[graphql(cache_control(max_age = 30))]
    async fn page(&self, ctx: &Context<'_>, handle: String) -> Result<Option<Page>> {
        Ok(pages::by_handle(&ctx.state()?.db, &handle, false)
            .await?
            .map(Page))
    }

    /// A published page by handle (the older name of `page(handle:)`).
    #[graphql(cache_control(max_age = 30))]
    async fn page_by_handle(&self, ctx: &Context<'_>, handle: String) -> Result<Option<Page>> {
        Ok(pages::by_handle(&ctx.state()?.db, &handle, false)
            .await?
            .map(Page))
    }

    /// Published pages by handle.
    #[graphql(
        complexity = "first.unwrap_or(20).clamp(0, 250) as usize * child_complexity + 1",
        cache_control(max_age = 30)
    )]
    async fn pages(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<PageConnection> {
        let state = ctx.state()?;
        let first = first
            .map(|f| u64::try_from(f.max(0)).unwrap_or_default())
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .min(state.settings.max_page_size);
        let (rows, has_next_page) = pages::list(&state.db, first, after.as_deref(), false).await?;
        let items: Vec<(String, Page)> = rows
            .into_iter()
            .map(|page| (page.handle.clone(), Page(page)))
            .collect();
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: after.is_some(),
            start_cursor: items.first().map(|(c, _)| c.clone()),
            end_cursor: items.last().map(|(c, _)| c.clone()),
        };
        Ok(Listed { items, page_info }.into())
    }

    /// A cart by id (a guest cart for whoever holds its id).
    #[graphql(cache_control(no_cache))]
    async fn cart(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Cart>> {
        let state = ctx.state()?;
        let id = parse_gid(&id, "Cart", "id")?;
        let account = ctx.request()?.viewer.account_id();
        let Some(cart) = access::readable(&state.db, id, account).await? else {
            return Ok(None);
        };
        let view = view::view(&state.db, cart, &state.settings.cart_rules).await?;
        Ok(Some(Cart::new(view)))
    }
}

/// `products` without a query: the catalog's listing in the sort key's order.
async fn listed(
    ctx: &Context<'_>,
    args: PageArgs,
    sort_key: ProductSortKeys,
    reverse: bool,
    currency: CurrencyCode,
) -> ApiResult<ProductConnection> {
    let request = ctx.request()?;
    let mut listing = ProductListing::new(currency);
    let (order, descending) = sort_key.listing_order();
    listing.order = order;
    listing.reverse = reverse != descending;
    listing.include_unpublished = request.viewer.sees_unpublished_catalog();
    let page = args.validate(ctx.state()?.settings.max_page_size, &listing.cursor_key())?;
    let page = list_products(&request.catalog_db, &listing, &page).await?;
    Ok(Listed::from_page(page, |p| Product::new(p, currency)).into())
}

/// `products(query:)`: the search engine's hits, in its order, hydrated in one batch.
async fn searched(
    ctx: &Context<'_>,
    parsed: ShopifyQuery,
    first: Option<i32>,
    after: Option<String>,
    sort_key: ProductSortKeys,
    reverse: bool,
    currency: CurrencyCode,
) -> ApiResult<ProductConnection> {
    let state = ctx.state()?;
    let request = ctx.request()?;
    request.reads.search_index();
    if parsed.filter.in_stock.is_some() {
        request.reads.any_stock();
    }
    let max = i32::try_from(state.settings.max_page_size).unwrap_or(i32::MAX);
    let limit = match first.unwrap_or(20) {
        n if (0..=max).contains(&n) => n as usize,
        _ => {
            return Err(ApiError::bad_input(format!(
                "`first` must be between 0 and {max}"
            )));
        }
    };
    let offset = match after {
        Some(cursor) => search_position(&cursor)? + 1,
        None => 0,
    };
    if offset > MAX_OFFSET {
        return Err(ApiError::bad_input(
            "`after` is beyond the deepest page a query reaches",
        ));
    }
    // The engine orders by relevance, price or creation; other keys fall back to relevance.
    let sort = match sort_key {
        ProductSortKeys::Price => SortKey::Price,
        ProductSortKeys::CreatedAt | ProductSortKeys::UpdatedAt => SortKey::Created,
        _ => SortKey::Relevance,
    };
    let search = SearchRequest {
        text: parsed.text,
        filter: parsed.filter,
        sort,
        reverse,
        currency,
        facets: Vec::new(),
        limit,
        offset,
    };
    let results = state
        .search
        .backend
        .search(&search)
        .await
        .map_err(engine_error)?;
    let keys = results.hits.iter().map(|hit| ProductById(hit.product_id));
    let mut products = request.catalog.load_many(keys).await?;
    let items: Vec<(String, Product)> = results
        .hits
        .iter()
        .enumerate()
        .filter_map(|(index, hit)| {
            let product = products.remove(&ProductById(hit.product_id))?;
            is_visible(&request.viewer, &product).then(|| {
                (
                    search_cursor(offset + index),
                    Product::new(product, currency),
                )
            })
        })
        .collect();
    let page_info = PageInfo {
        has_next_page: offset + results.hits.len() < results.total_hits,
        has_previous_page: offset > 0,
        start_cursor: items.first().map(|(c, _)| c.clone()),
        end_cursor: items.last().map(|(c, _)| c.clone()),
    };
    Ok(Listed { items, page_info }.into())
}

fn search_cursor(position: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("hit:{position}"))
}

fn search_position(cursor: &str) -> ApiResult<usize> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("hit:")?.parse().ok())
        .ok_or_else(|| ApiError::bad_input("`after` is not a cursor of this query"))
}
