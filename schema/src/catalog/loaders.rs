//! Batched catalog reads. Every to-one and to-many edge of the catalog graph goes through one
//! of these keys, so a query costs one statement per edge *kind*, whatever the number of rows.

mod collections;
mod offers;
mod product_page;

pub use collections::{
    CollectionByHandle, CollectionById, CollectionsOfProduct, FirstProductsOfCollection,
    ProductCountOfCollection,
};
pub use offers::{VariantOffer, VariantOffersOfProduct};
pub use product_page::{ProductPage, ProductPageById, ProductPageBySlug};

use super::service::products::{ProductListing, counts_by_category, first_pages_by_category};
use crate::response_cache::ReadDependencies;
use async_graphql::dataloader::Loader;
use entities::{category, product, product_image, product_variant, variant_price};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use uuid::Uuid;

/// The loader behind all catalog keys; one `DataLoader` per request wraps it.
pub struct CatalogLoader {
    db: DatabaseConnection,
    /// Loads that read stock record it here (response-cache invalidation).
    reads: Arc<ReadDependencies>,
}

impl CatalogLoader {
    pub fn new(db: DatabaseConnection, reads: Arc<ReadDependencies>) -> Self {
        Self { db, reads }
    }
}

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

/// Groups rows under the key derived from each of them (the to-many edges).
fn group<K: Hash + Eq + Clone, V>(
    keys: &[K],
    rows: Vec<V>,
    key_of: impl Fn(&V) -> K,
) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for row in rows {
        map.entry(key_of(&row)).or_default().push(row);
    }
    map
}

macro_rules! uuid_key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(pub Uuid);
    };
}

uuid_key!(
    /// A product by id (any status; callers apply visibility).
    ProductById
);
uuid_key!(
    /// A variant by id.
    VariantById
);
uuid_key!(
    /// The prices of a variant, one per currency (for variants not read through
    /// `VariantOffersOfProduct`: cart lines, lookups by id).
    PricesOfVariant
);
uuid_key!(
    /// The images of a product, in display order.
    ImagesOfProduct
);
uuid_key!(
    /// A category by id.
    CategoryById
);
uuid_key!(
    /// A category by id with its parent, read in one statement: a product page shows the
    /// category path, and a parent read after the category would cost a second statement.
    CategoryWithParent
);
uuid_key!(
    /// The direct children of a category, in display order.
    ChildrenOfCategory
);

/// A product by slug.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductBySlug(pub String);

/// A category by slug.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CategoryBySlug(pub String);

fn ids<K: Copy>(keys: &[K], id: impl Fn(K) -> Uuid) -> Vec<Uuid> {
    keys.iter().map(|k| id(*k)).collect()
}

impl Loader<ProductById> for CatalogLoader {
    type Value = product::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ProductById]) -> LoadResult<ProductById, product::Model> {
        let rows = product::Entity::find()
            .filter(product::Column::Id.is_in(ids(keys, |k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|p| (ProductById(p.id), p)).collect())
    }
}

impl Loader<ProductBySlug> for CatalogLoader {
    type Value = product::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ProductBySlug]) -> LoadResult<ProductBySlug, product::Model> {
        let slugs: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = product::Entity::find()
            .filter(product::Column::Slug.is_in(slugs))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|p| (ProductBySlug(p.slug.clone()), p))
            .collect())
    }
}

impl Loader<VariantById> for CatalogLoader {
    type Value = product_variant::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[VariantById]) -> LoadResult<VariantById, Self::Value> {
        let rows = product_variant::Entity::find()
            .filter(product_variant::Column::Id.is_in(ids(keys, |k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|v| (VariantById(v.id), v)).collect())
    }
}

impl Loader<PricesOfVariant> for CatalogLoader {
    type Value = Vec<variant_price::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[PricesOfVariant]) -> LoadResult<PricesOfVariant, Self::Value> {
        let rows = variant_price::Entity::find()
            .filter(variant_price::Column::VariantId.is_in(ids(keys, |k| k.0)))
            .all(&self.db)
            .await?;
        Ok(group(keys, rows, |p| PricesOfVariant(p.variant_id)))
    }
}

impl Loader<ImagesOfProduct> for CatalogLoader {
    type Value = Vec<product_image::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ImagesOfProduct]) -> LoadResult<ImagesOfProduct, Self::Value> {
        let rows = product_image::Entity::find()
            .filter(product_image::Column::ProductId.is_in(ids(keys, |k| k.0)))
            .order_by_asc(product_image::Column::ProductId)
            .order_by_asc(product_image::Column::Position)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows, |i| ImagesOfProduct(i.product_id)))
    }
}

impl Loader<CategoryById> for CatalogLoader {
    type Value = category::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[CategoryById]) -> LoadResult<CategoryById, Self::Value> {
        let rows = category::Entity::find()
            .filter(category::Column::Id.is_in(ids(keys, |k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|c| (CategoryById(c.id), c)).collect())
    }
}

impl Loader<CategoryWithParent> for CatalogLoader {
    /// The category and its parent (none for a top-level category).
    type Value = (category::Model, Option<category::Model>);
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[CategoryWithParent],
    ) -> LoadResult<CategoryWithParent, Self::Value> {
        let ids = ids(keys, |k| k.0);
        // `id IN (keys) OR id IN (SELECT parent_id FROM categories AS child WHERE child.id IN
        // (keys))`: the categories and their parents as plain rows, paired up below.
        let child = Alias::new("child");
        let parent_ids = Query::select()
            .column((child.clone(), category::Column::ParentId))
            .from_as(category::Entity, child.clone())
            .and_where(Expr::col((child, category::Column::Id)).is_in(ids.clone()))
            .to_owned();
        let rows = category::Entity::find()
            .filter(
                Condition::any()
                    .add(category::Column::Id.is_in(ids))
                    .add(category::Column::Id.in_subquery(parent_ids)),
            )
            .all(&self.db)
            .await?;
        let by_id: HashMap<Uuid, category::Model> = rows.into_iter().map(|c| (c.id, c)).collect();
        Ok(keys
            .iter()
            .filter_map(|key| {
                let category = by_id.get(&key.0)?.clone();
                let parent = category.parent_id.and_then(|p| by_id.get(&p).cloned());
                Some((*key, (category, parent)))
            })
            .collect())
    }
}

impl Loader<CategoryBySlug> for CatalogLoader {
    type Value = category::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[CategoryBySlug]) -> LoadResult<CategoryBySlug, Self::Value> {
        let slugs: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = category::Entity::find()
            .filter(category::Column::Slug.is_in(slugs))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|c| (CategoryBySlug(c.slug.clone()), c))
            .collect())
    }
}

impl Loader<ChildrenOfCategory> for CatalogLoader {
    type Value = Vec<category::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[ChildrenOfCategory],
    ) -> LoadResult<ChildrenOfCategory, Self::Value> {
        let rows = category::Entity::find()
            .filter(category::Column::ParentId.is_in(ids(keys, |k| k.0)))
            .order_by_asc(category::Column::Position)
            .order_by_asc(category::Column::Name)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows, |c| {
            ChildrenOfCategory(c.parent_id.unwrap_or_default())
        }))
    }
}

/// The first `limit` products of `listing` in a category and its descendants (with the listing
/// price when ordered by price). `listing` must not filter by category itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FirstProductsOfCategory {
    pub category_id: Uuid,
    pub listing: ProductListing,
    pub limit: u64,
}

/// How many products of `listing` a category and its descendants hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductCountOfCategory {
    pub category_id: Uuid,
    pub listing: ProductListing,
}

/// Splits keys into groups that share everything but the category: one statement per group.
fn by_listing<K, G: Hash + Eq>(
    keys: &[K],
    group_of: impl Fn(&K) -> (G, Uuid),
) -> HashMap<G, Vec<Uuid>> {
    let mut groups: HashMap<G, Vec<Uuid>> = HashMap::new();
    for key in keys {
        let (group, category_id) = group_of(key);
        groups.entry(group).or_default().push(category_id);
    }
    groups
}

impl Loader<FirstProductsOfCategory> for CatalogLoader {
    type Value = Vec<(product::Model, Option<i64>)>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[FirstProductsOfCategory],
    ) -> LoadResult<FirstProductsOfCategory, Self::Value> {
        let mut out = HashMap::new();
        for ((listing, limit), category_ids) in
            by_listing(keys, |k| ((k.listing.clone(), k.limit), k.category_id))
        {
            let pages = first_pages_by_category(&self.db, &category_ids, &listing, limit)
                .await
                .map_err(to_db_err)?;
            for (category_id, rows) in pages {
                out.insert(
                    FirstProductsOfCategory {
                        category_id,
                        listing: listing.clone(),
                        limit,
                    },
                    rows,
                );
            }
        }
        Ok(out)
    }
}

impl Loader<ProductCountOfCategory> for CatalogLoader {
    type Value = u64;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[ProductCountOfCategory],
    ) -> LoadResult<ProductCountOfCategory, u64> {
        let mut out = HashMap::new();
        for (listing, category_ids) in by_listing(keys, |k| (k.listing.clone(), k.category_id)) {
            let counts = counts_by_category(&self.db, &category_ids, &listing)
                .await
                .map_err(to_db_err)?;
            for (category_id, count) in counts {
                out.insert(
                    ProductCountOfCategory {
                        category_id,
                        listing: listing.clone(),
                    },
                    count,
                );
            }
        }
        Ok(out)
    }
}

/// Loader errors must be one clonable type; listing services only fail on the database or on
/// input the resolver validated before building the key.
fn to_db_err(err: crate::error::ApiError) -> Arc<DbErr> {
    match err {
        crate::error::ApiError::Database(db) | crate::error::ApiError::DatabaseUnavailable(db) => {
            Arc::new(db)
        }
        crate::error::ApiError::SharedDatabase(db) => db,
        other => Arc::new(DbErr::Custom(other.to_string())),
    }
}
