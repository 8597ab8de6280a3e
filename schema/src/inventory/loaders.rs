//! Batched stock reads.

use crate::response_cache::ReadDependencies;
use async_graphql::dataloader::Loader;
use entities::stock_level;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

pub struct InventoryLoader {
    db: DatabaseConnection,
    /// Every stock read is recorded here (response-cache invalidation).
    reads: Arc<ReadDependencies>,
}

impl InventoryLoader {
    pub fn new(db: DatabaseConnection, reads: Arc<ReadDependencies>) -> Self {
        Self { db, reads }
    }
}

/// The stock levels of a variant, one per warehouse that stocks it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct StockOfVariant(pub Uuid);

impl Loader<StockOfVariant> for InventoryLoader {
    type Value = Vec<stock_level::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[StockOfVariant],
    ) -> Result<HashMap<StockOfVariant, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        self.reads.stock_of(ids.iter().copied());
        let rows = stock_level::Entity::find()
            .filter(stock_level::Column::VariantId.is_in(ids))
            .all(&self.db)
            .await?;
        let mut map: HashMap<StockOfVariant, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            map.entry(StockOfVariant(row.variant_id))
                .or_default()
                .push(row);
        }
        Ok(map)
    }
}

/// A warehouse by id.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct WarehouseById(pub Uuid);

impl Loader<WarehouseById> for InventoryLoader {
    type Value = entities::warehouse::Model;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[WarehouseById],
    ) -> Result<HashMap<WarehouseById, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = entities::warehouse::Entity::find()
            .filter(entities::warehouse::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|w| (WarehouseById(w.id), w)).collect())
    }
}
