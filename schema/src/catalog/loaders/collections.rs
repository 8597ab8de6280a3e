//! Batched collection reads: a collection by id or handle, the first page and the count of
//! many collections' products, and the collections of many products (`Product.collections`
//! on a listing of 20 products is one statement).

use super::{CatalogLoader, LoadResult, ids, to_db_err};
use crate::catalog::service::collections::{
    Member, collections_of_products, counts_by_collection, first_members_by_collection,
};
use async_graphql::dataloader::Loader;
use entities::collection;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// A collection by id.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct CollectionById(pub Uuid);

/// A collection by handle.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CollectionByHandle(pub String);

/// The collections a product is in, by title.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct CollectionsOfProduct(pub Uuid);

/// The first `limit + 1` products of a collection in its order (the extra one tells whether
/// there is a next page).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct FirstProductsOfCollection {
    pub collection_id: Uuid,
    pub include_unpublished: bool,
    pub limit: u64,
}

/// How many products a collection shows.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductCountOfCollection {
    pub collection_id: Uuid,
    pub include_unpublished: bool,
}

impl Loader<CollectionById> for CatalogLoader {
    type Value = collection::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[CollectionById]) -> LoadResult<CollectionById, Self::Value> {
        let rows = collection::Entity::find()
            .filter(collection::Column::Id.is_in(ids(keys, |k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|c| (CollectionById(c.id), c))
            .collect())
    }
}

impl Loader<CollectionByHandle> for CatalogLoader {
    type Value = collection::Model;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[CollectionByHandle],
    ) -> LoadResult<CollectionByHandle, Self::Value> {
        let handles: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = collection::Entity::find()
            .filter(collection::Column::Handle.is_in(handles))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|c| (CollectionByHandle(c.handle.clone()), c))
            .collect())
    }
}

impl Loader<CollectionsOfProduct> for CatalogLoader {
    type Value = Vec<collection::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[CollectionsOfProduct],
    ) -> LoadResult<CollectionsOfProduct, Self::Value> {
        let found = collections_of_products(&self.db, &ids(keys, |k| k.0))
            .await
            .map_err(to_db_err)?;
        Ok(found
            .into_iter()
            .map(|(id, rows)| (CollectionsOfProduct(id), rows))
            .collect())
    }
}

/// Keys that differ only in the collection share a statement.
fn by_group<K, G: std::hash::Hash + Eq>(
    keys: &[K],
    group_of: impl Fn(&K) -> (G, Uuid),
) -> HashMap<G, Vec<Uuid>> {
    let mut groups: HashMap<G, Vec<Uuid>> = HashMap::new();
    for key in keys {
        let (group, id) = group_of(key);
        groups.entry(group).or_default().push(id);
    }
    groups
}

impl Loader<FirstProductsOfCollection> for CatalogLoader {
    type Value = Vec<Member>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[FirstProductsOfCollection],
    ) -> LoadResult<FirstProductsOfCollection, Self::Value> {
        let mut out = HashMap::new();
        for ((include_unpublished, limit), collection_ids) in by_group(keys, |k| {
            ((k.include_unpublished, k.limit), k.collection_id)
        }) {
            let pages =
                first_members_by_collection(&self.db, &collection_ids, include_unpublished, limit)
                    .await
                    .map_err(to_db_err)?;
            for (collection_id, rows) in pages {
                let key = FirstProductsOfCollection {
                    collection_id,
                    include_unpublished,
                    limit,
                };
                out.insert(key, rows);
            }
        }
        Ok(out)
    }
}

impl Loader<ProductCountOfCollection> for CatalogLoader {
    type Value = u64;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[ProductCountOfCollection],
    ) -> LoadResult<ProductCountOfCollection, u64> {
        let mut out = HashMap::new();
        for (include_unpublished, collection_ids) in
            by_group(keys, |k| (k.include_unpublished, k.collection_id))
        {
            let counts = counts_by_collection(&self.db, &collection_ids, include_unpublished)
                .await
                .map_err(to_db_err)?;
            for (collection_id, count) in counts {
                let key = ProductCountOfCollection {
                    collection_id,
                    include_unpublished,
                };
                out.insert(key, count);
            }
        }
        Ok(out)
    }
}
