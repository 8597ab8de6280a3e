//! STOCK_CHANGED, STOCK_OUT and BACK_IN_STOCK: the variant's availability as the
//! `stockChanged` subscription shows it, plus the product's slug, so a storefront can
//! revalidate the product page without asking the API first.

use super::{id, timestamp};
use crate::error::ApiResult;
use crate::inventory::events::{BackInStockNotice, StockUpdate};
use entities::product;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

pub(super) async fn stock(db: &impl ConnectionTrait, update: &StockUpdate) -> ApiResult<Value> {
    Ok(json!({
        "variantId": id(update.variant_uuid),
        "productId": id(update.product_uuid),
        "productSlug": slug_of(db, update.product_uuid).await?,
        "sku": update.sku,
        "available": update.available,
        "inStock": update.in_stock,
        "occurredAt": timestamp(update.occurred_at),
    }))
}

pub(super) async fn back_in_stock(
    db: &impl ConnectionTrait,
    notice: &BackInStockNotice,
) -> ApiResult<Value> {
    Ok(json!({
        "subscriptionId": id(notice.subscription_id),
        "variantId": id(notice.variant_uuid),
        "productId": id(notice.product_uuid),
        "productSlug": slug_of(db, notice.product_uuid).await?,
        "sku": notice.sku,
        "available": notice.available,
        "email": notice.email,
    }))
}

/// The product's slug; `None` when it has been deleted since.
async fn slug_of(db: &impl ConnectionTrait, product_id: Uuid) -> ApiResult<Option<String>> {
    Ok(product::Entity::find_by_id(product_id)
        .select_only()
        .column(product::Column::Slug)
        .into_tuple()
        .one(db)
        .await?)
}
