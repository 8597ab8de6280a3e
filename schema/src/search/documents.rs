//! Building search documents from the catalog: a fixed number of statements per batch of
//! products (products, their categories' paths, variants, price ranges, availability),
//! whatever the batch size. Used by the sync (queued products) and by full rebuilds.

use super::backend::{
    PRODUCT_TYPE_ATTRIBUTE, PriceSpan, ProductDocument, TAG_ATTRIBUTE, attribute_key,
};
use crate::common::money::CurrencyCode;
use crate::error::ApiResult;
use crate::inventory::service::availability;
use entities::enums::ProductStatus;
use entities::{category, product, product_price_range, product_variant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Documents for the given products, plus the ids that must leave the index (deleted, or no
/// longer ACTIVE).
#[derive(Debug, Default)]
pub struct DocumentBatch {
    pub documents: Vec<ProductDocument>,
    pub removed: Vec<Uuid>,
}

/// Builds the documents of `product_ids`: six statements (products, their categories, the
/// categories on their paths, variants, availability, price ranges).
pub async fn build(db: &impl ConnectionTrait, product_ids: &[Uuid]) -> ApiResult<DocumentBatch> {
    if product_ids.is_empty() {
        return Ok(DocumentBatch::default());
    }
    let products = product::Entity::find()
        .filter(product::Column::Id.is_in(product_ids.iter().copied()))
        .all(db)
        .await?;
    let (active, inactive): (Vec<_>, Vec<_>) = products
        .into_iter()
        .partition(|p| p.status == ProductStatus::Active);
    let found: HashSet<Uuid> = active.iter().chain(&inactive).map(|p| p.id).collect();
    let mut removed: Vec<Uuid> = inactive.iter().map(|p| p.id).collect();
    removed.extend(product_ids.iter().filter(|id| !found.contains(id)));
    Ok(DocumentBatch {
        documents: documents_of(db, active).await?,
        removed,
    })
}

/// The next `limit` ACTIVE products after `after` (by id), as documents: how a rebuild walks
/// the catalog with keyset pages.
pub async fn active_page(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> ApiResult<Vec<ProductDocument>> {
    let mut query = product::Entity::find()
        .filter(product::Column::Status.eq(ProductStatus::Active))
        .order_by_asc(product::Column::Id)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(product::Column::Id.gt(after));
    }
    let products = query.all(db).await?;
    documents_of(db, products).await
}

/// How many products a full rebuild indexes.
pub async fn active_count(db: &impl ConnectionTrait) -> ApiResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(product::Entity::find()
        .filter(product::Column::Status.eq(ProductStatus::Active))
        .count(db)
        .await?)
}

async fn documents_of(
    db: &impl ConnectionTrait,
    products: Vec<product::Model>,
) -> ApiResult<Vec<ProductDocument>> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = products.iter().map(|p| p.id).collect();
    let categories = category_paths(db, &products).await?;
    let variants = product_variant::Entity::find()
        .filter(product_variant::Column::ProductId.is_in(ids.iter().copied()))
        .order_by_asc(product_variant::Column::Position)
        .all(db)
        .await?;
    let variant_ids: Vec<Uuid> = variants.iter().map(|v| v.id).collect();
    let available = availability::totals(db, &variant_ids).await?;
    let mut skus: HashMap<Uuid, Vec<String>> = HashMap::new();
    let mut in_stock: HashSet<Uuid> = HashSet::new();
    for variant in variants {
        if available.get(&variant.id).is_some_and(|&units| units > 0) {
            in_stock.insert(variant.product_id);
        }
        skus.entry(variant.product_id)
            .or_default()
            .push(variant.sku);
    }
    let mut prices: HashMap<Uuid, Vec<PriceSpan>> = HashMap::new();
    let ranges = product_price_range::Entity::find()
        .filter(product_price_range::Column::ProductId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    for range in ranges {
        // Codes are validated on the way in; an unknown one cannot be searched in anyway.
        if let Ok(currency) = range.currency_code.parse::<CurrencyCode>() {
            prices.entry(range.product_id).or_default().push(PriceSpan {
                currency,
                min: range.min_amount,
                max: range.max_amount,
            });
        }
    }
    Ok(products
        .into_iter()
        .map(|p| {
            let trail = p
                .category_id
                .and_then(|id| categories.get(&id))
                .cloned()
                .unwrap_or_default();
            let attributes = indexed_attributes(&p, trail.last().map(|(_, name)| name.as_str()));
            ProductDocument {
                id: p.id,
                description: p.description.unwrap_or_default(),
                brand: p.brand,
                category_ids: trail.iter().map(|(id, _)| *id).collect(),
                category_names: trail.iter().map(|(_, name)| name.clone()).collect(),
                skus: skus.remove(&p.id).unwrap_or_default(),
                prices: prices.remove(&p.id).unwrap_or_default(),
                in_stock: in_stock.contains(&p.id),
                attributes,
                created_at: p.created_at.timestamp_millis(),
                popularity: p.popularity,
                name: p.name,
            }
        })
        .collect())
}

/// For each category of `products`: its ancestors and itself, root first, as (id, name).
/// Two statements: the products' categories (for their paths), then every category named
/// in those paths.
async fn category_paths(
    db: &impl ConnectionTrait,
    products: &[product::Model],
) -> ApiResult<HashMap<Uuid, Vec<(Uuid, String)>>> {
    let direct: HashSet<Uuid> = products.iter().filter_map(|p| p.category_id).collect();
    if direct.is_empty() {
        return Ok(HashMap::new());
    }
    let own = category::Entity::find()
        .filter(category::Column::Id.is_in(direct))
        .all(db)
        .await?;
    let paths: Vec<(Uuid, Vec<Uuid>)> = own.iter().map(|c| (c.id, path_ids(&c.path))).collect();
    let ancestors: HashSet<Uuid> = paths.iter().flat_map(|(_, path)| path.clone()).collect();
    let names: HashMap<Uuid, String> = category::Entity::find()
        .filter(category::Column::Id.is_in(ancestors))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(paths
        .into_iter()
        .map(|(id, path)| {
            let trail = path
                .into_iter()
                .filter_map(|ancestor| names.get(&ancestor).map(|name| (ancestor, name.clone())))
                .collect();
            (id, trail)
        })
        .collect())
}

/// `"<root>/<child>/"` → the ids, root first.
fn path_ids(path: &str) -> Vec<Uuid> {
    path.split('/')
        .filter_map(|part| Uuid::parse_str(part).ok())
        .collect()
}

/// The product's attributes as `name=value` keys, with its tags and its product type (its
/// own category's name) under reserved names, so that filters on them (the Shopify-shaped
/// endpoint's `tag:` and `product_type:`) are attribute filters in every engine.
fn indexed_attributes(product: &product::Model, product_type: Option<&str>) -> Vec<String> {
    let own = product
        .attributes
        .0
        .iter()
        .map(|a| attribute_key(&a.name, &a.value));
    let tags = product
        .tags
        .0
        .iter()
        .map(|tag| attribute_key(TAG_ATTRIBUTE, tag));
    let product_type = product_type.map(|name| attribute_key(PRODUCT_TYPE_ATTRIBUTE, name));
    own.chain(tags).chain(product_type).collect()
}
