//! A product or a collection by id or by handle, as both endpoints look them up (`/graphql`
//! and the Shopify-shaped one differ only in how the id is written): batched through the
//! catalog loaders, a handle holding a NUL is simply not found (PostgreSQL would refuse the
//! query), and a product the viewer may not see is not found either.

use super::loaders::{
    CollectionByHandle, CollectionById, ProductPage, ProductPageById, ProductPageBySlug,
};
use super::service::is_visible;
use crate::common::text;
use crate::context::ContextExt;
use crate::error::ApiResult;
use async_graphql::Context;
use entities::{collection, product};
use uuid::Uuid;

/// What a lookup is by.
pub enum By {
    Id(Uuid),
    /// A product's slug or a collection's handle.
    Handle(String),
}

/// The product, when the viewer may see it. Its category (with the parent) and its images are
/// read in the same statement and left in the request's cache, where the product's `category`
/// and `images` find them.
pub async fn visible_product(ctx: &Context<'_>, by: By) -> ApiResult<Option<product::Model>> {
    let request = ctx.request()?;
    let found = match by {
        By::Id(id) => request.catalog.load_one(ProductPageById(id)).await?,
        By::Handle(handle) if text::has_nul(&handle) => None,
        By::Handle(handle) => request.catalog.load_one(ProductPageBySlug(handle)).await?,
    };
    let Some(ProductPage {
        product,
        category,
        images: (images_key, images),
    }) = found
    else {
        return Ok(None);
    };
    if !is_visible(&request.viewer, &product) {
        return Ok(None);
    }
    if let Some((key, category)) = category {
        request.catalog.feed_one(key, category).await;
    }
    request.catalog.feed_one(images_key, images).await;
    Ok(Some(product))
}

/// The collection.
pub async fn collection(ctx: &Context<'_>, by: By) -> ApiResult<Option<collection::Model>> {
    let request = ctx.request()?;
    Ok(match by {
        By::Id(id) => request.catalog.load_one(CollectionById(id)).await?,
        By::Handle(handle) if text::has_nul(&handle) => None,
        By::Handle(handle) => request.catalog.load_one(CollectionByHandle(handle)).await?,
    })
}
