//! Catalog queries and federation entity resolvers. Resolvers only read arguments, call a
//! service or loader, and map the result.

use super::loaders::{
    CategoryById, CategoryBySlug, FirstProductsOfCategory, ProductById, VariantById,
};
use super::lookup::{self, By};
use super::service::categories::{CategoryListing, list_categories};
use super::service::is_visible;
use super::service::products::{ProductListing, list_products};
use super::types::{
    Category, CategoryConnection, Product, ProductConnection, ProductFilter, ProductSortKey,
    ProductVariant,
};
use crate::common::ids::parse_id;
use crate::common::money::CurrencyCode;
use crate::common::pagination::{Direction, PageArgs};
use crate::common::text;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::federation::entity_id;
use async_graphql::{Context, ID, Object, Result};
use uuid::Uuid;

#[derive(Default)]
pub struct CatalogQuery;

/// The listing that `products`/`Category.products` arguments describe, validated.
fn listing_from_arguments(
    ctx: &Context<'_>,
    filter: ProductFilter,
    sort_key: Option<ProductSortKey>,
    reverse: Option<bool>,
    currency: CurrencyCode,
) -> ApiResult<ProductListing> {
    let mut listing = ProductListing::new(currency);
    let sort_key = sort_key.unwrap_or_default();
    listing.order = sort_key.into();
    listing.reverse = reverse.unwrap_or(false) != sort_key.descending();
    listing.include_unpublished = ctx.request()?.viewer.sees_unpublished_catalog();
    filter.apply(&mut listing)?;
    if listing.in_stock.is_some() {
        // Which products are listed depends on stock, not only the stock figures shown.
        ctx.request()?.reads.any_stock();
    }
    Ok(listing)
}

/// `products`: one page of a listing.
pub(crate) async fn list_products_page(
    ctx: &Context<'_>,
    page: PageArgs,
    filter: ProductFilter,
    sort_key: Option<ProductSortKey>,
    reverse: Option<bool>,
    currency: CurrencyCode,
) -> ApiResult<ProductConnection> {
    let state = ctx.state()?;
    let listing = listing_from_arguments(ctx, filter, sort_key, reverse, currency)?;
    let page = page.validate(state.settings.max_page_size, &listing.cursor_key())?;
    let page = list_products(&ctx.request()?.catalog_db, &listing, &page).await?;
    Ok(ProductConnection {
        page,
        listing,
        category_scope: None,
    })
}

/// `Category.products`: first pages are batched across categories through a DataLoader (a
/// menu showing a few products per category costs one statement); later pages are read
/// directly, as only one category is paged at a time.
pub(crate) async fn category_products_page(
    ctx: &Context<'_>,
    category_id: Uuid,
    page: PageArgs,
    mut filter: ProductFilter,
    sort_key: Option<ProductSortKey>,
    reverse: Option<bool>,
    currency: CurrencyCode,
) -> ApiResult<ProductConnection> {
    let state = ctx.state()?;
    // On a category the category is the scope: a `categoryIds` filter given here is ignored.
    filter.category_ids = None;
    let mut listing = listing_from_arguments(ctx, filter, sort_key, reverse, currency)?;
    let request = page.validate(state.settings.max_page_size, &listing.cursor_key())?;
    if request.cursor.is_none() && request.direction == Direction::Forward {
        let key = FirstProductsOfCategory {
            category_id,
            listing: listing.clone(),
            limit: request.limit,
        };
        let rows = ctx
            .request()?
            .catalog
            .load_one(key)
            .await?
            .unwrap_or_default();
        let page = listing.page(rows, &request);
        return Ok(ProductConnection {
            page,
            listing,
            category_scope: Some(category_id),
        });
    }
    listing.category_ids = vec![category_id];
    let page = list_products(&ctx.request()?.catalog_db, &listing, &request).await?;
    Ok(ProductConnection {
        page,
        listing,
        category_scope: None,
    })
}

fn exactly_one<'a>(
    id: &'a Option<ID>,
    slug: &'a Option<String>,
) -> ApiResult<Result<&'a ID, &'a str>> {
    match (id, slug) {
        (Some(id), None) => Ok(Ok(id)),
        (None, Some(slug)) => Ok(Err(slug.as_str())),
        _ => Err(ApiError::bad_input("pass exactly one of `id` or `slug`")),
    }
}

#[Object]
impl CatalogQuery {
    /// A product by id or slug; null when there is none visible to the viewer.
    #[graphql(cache_control(max_age = 30))]
    async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
        currency: Option<CurrencyCode>,
    ) -> Result<Option<Product>> {
        let currency = currency.unwrap_or(ctx.state()?.settings.default_currency);
        let by = match exactly_one(&id, &slug)? {
            Ok(id) => By::Id(parse_id(id, "id")?),
            Err(slug) => By::Handle(slug.to_owned()),
        };
        Ok(lookup::visible_product(ctx, by)
            .await?
            .map(|p| Product::new(p, currency)))
    }

    /// Products, filtered and ordered, as a Relay connection (at most 100 per page).
    #[graphql(
        complexity = "first.or(last).unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1",
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
        filter: Option<ProductFilter>,
        sort_key: Option<ProductSortKey>,
        reverse: Option<bool>,
        currency: Option<CurrencyCode>,
    ) -> Result<ProductConnection> {
        let currency = currency.unwrap_or(ctx.state()?.settings.default_currency);
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        Ok(list_products_page(
            ctx,
            page,
            filter.unwrap_or_default(),
            sort_key,
            reverse,
            currency,
        )
        .await?)
    }

    /// A category by id or slug.
    #[graphql(cache_control(max_age = 30))]
    async fn category(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Option<Category>> {
        let request = ctx.request()?;
        let currency = ctx.state()?.settings.default_currency;
        let category = match exactly_one(&id, &slug)? {
            Ok(id) => {
                request
                    .catalog
                    .load_one(CategoryById(parse_id(id, "id")?))
                    .await?
            }
            Err(slug) if text::has_nul(slug) => None,
            Err(slug) => {
                request
                    .catalog
                    .load_one(CategoryBySlug(slug.to_owned()))
                    .await?
            }
        };
        Ok(category.map(|c| Category::new(c, currency)))
    }

    /// Categories in display order: the children of `parentId`, or only top-level ones with
    /// `topLevel: true`, or all.
    #[graphql(
        complexity = "first.or(last).unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1",
        cache_control(max_age = 30)
    )]
    #[allow(clippy::too_many_arguments)] // the GraphQL arguments of a connection
    async fn categories(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        parent_id: Option<ID>,
        top_level: Option<bool>,
    ) -> Result<CategoryConnection> {
        let state = ctx.state()?;
        let listing = CategoryListing {
            parent_id: parent_id
                .as_ref()
                .map(|id| parse_id(id, "parentId"))
                .transpose()?,
            top_level: top_level.unwrap_or(false),
        };
        let page = PageArgs {
            first,
            after,
            last,
            before,
        }
        .validate(
            state.settings.max_page_size,
            super::service::categories::CATEGORY_CURSOR_KEY,
        )?;
        let page = list_categories(&ctx.request()?.catalog_db, &listing, &page).await?;
        Ok(CategoryConnection {
            page,
            listing,
            currency: state.settings.default_currency,
        })
    }

    /// Federation: resolves `Product` references from other subgraphs.
    #[graphql(entity)]
    async fn find_product_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Product>> {
        let Some(id) = entity_id(ctx, "Product", &id) else {
            return Ok(None);
        };
        let request = ctx.request()?;
        let currency = ctx.state()?.settings.default_currency;
        let product = request.catalog.load_one(ProductById(id)).await?;
        Ok(product
            .filter(|p| is_visible(&request.viewer, p))
            .map(|p| Product::new(p, currency)))
    }

    /// Federation: resolves `ProductVariant` references.
    #[graphql(entity)]
    async fn find_product_variant_by_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<ProductVariant>> {
        let Some(id) = entity_id(ctx, "ProductVariant", &id) else {
            return Ok(None);
        };
        let request = ctx.request()?;
        let currency = ctx.state()?.settings.default_currency;
        let Some(variant) = request.catalog.load_one(VariantById(id)).await? else {
            return Ok(None);
        };
        let product = request
            .catalog
            .load_one(ProductById(variant.product_id))
            .await?;
        let visible = product.is_some_and(|p| is_visible(&request.viewer, &p));
        Ok(visible.then(|| ProductVariant::new(variant, currency)))
    }

    /// Federation: resolves `Category` references.
    #[graphql(entity)]
    async fn find_category_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Category>> {
        let Some(id) = entity_id(ctx, "Category", &id) else {
            return Ok(None);
        };
        let currency = ctx.state()?.settings.default_currency;
        let category = ctx.request()?.catalog.load_one(CategoryById(id)).await?;
        Ok(category.map(|c| Category::new(c, currency)))
    }
}
