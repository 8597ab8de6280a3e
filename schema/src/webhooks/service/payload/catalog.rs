//! PRODUCT_* and CATEGORY_UPDATED: the product or category as GraphQL shows it, with the
//! slugs a storefront revalidates (`revalidateTag`) — a renamed product's old slug too, and a
//! deleted one's last slug, which only the event still knows.

use super::{id, timestamp};
use crate::catalog::events::{CatalogChange, CatalogChangeKind, ProductSlug};
use crate::error::ApiResult;
use entities::{category, product, product_variant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

/// The change's product (one per product event) now, or what the event knows of it when it
/// is gone.
pub(super) async fn product(db: &impl ConnectionTrait, change: &CatalogChange) -> ApiResult<Value> {
    let Some(&product_id) = change.product_ids.first() else {
        return Ok(json!({}));
    };
    let slug = change.slugs.iter().find(|s| s.product_id == product_id);
    let found = match change.kind() {
        CatalogChangeKind::ProductDeleted => None,
        _ => product::Entity::find_by_id(product_id).one(db).await?,
    };
    let Some(product) = found else {
        return Ok(gone(product_id, slug));
    };
    let variants: Vec<Value> = product_variant::Entity::find()
        .filter(product_variant::Column::ProductId.eq(product_id))
        .order_by_asc(product_variant::Column::Position)
        .all(db)
        .await?
        .iter()
        .map(|v| json!({ "id": id(v.id), "sku": v.sku, "name": v.name }))
        .collect();
    Ok(json!({
        "id": id(product.id),
        "slug": product.slug,
        // The slug this change replaced: its page is gone.
        "previousSlug": slug.and_then(|s| s.previous_slug.as_deref()),
        "name": product.name,
        "status": product.status,
        "brand": product.brand,
        "categoryId": product.category_id.map(id),
        "variants": variants,
        "createdAt": timestamp(product.created_at),
        "updatedAt": timestamp(product.updated_at),
    }))
}

fn gone(product_id: Uuid, slug: Option<&ProductSlug>) -> Value {
    json!({
        "id": id(product_id),
        "slug": slug.map(|s| s.slug.as_str()),
        "deleted": true,
    })
}

/// The category now (created, renamed or moved), or its id and last slug when deleted, with
/// the products it no longer holds.
pub(super) async fn category(
    db: &impl ConnectionTrait,
    change: &CatalogChange,
) -> ApiResult<Value> {
    let Some(category_id) = change.category_id else {
        return Ok(json!({}));
    };
    let product_ids: Vec<Value> = change.product_ids.iter().copied().map(id).collect();
    Ok(
        match category::Entity::find_by_id(category_id).one(db).await? {
            Some(category) => json!({
                "id": id(category.id),
                "slug": category.slug,
                "name": category.name,
                "description": category.description,
                "parentId": category.parent_id.map(id),
                "createdAt": timestamp(category.created_at),
            }),
            None => json!({
                "id": id(category_id),
                "slug": change.category_slug,
                "deleted": true,
                "productIds": product_ids,
            }),
        },
    )
}
