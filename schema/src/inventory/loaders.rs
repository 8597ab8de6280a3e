//! Batched stock reads.

use async_graphql::dataloader::Loader;
use entities::{product_variant, stock_level};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, JoinType, QueryFilter, QuerySelect,
    RelationTrait,
};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

pub struct InventoryLoader {
    db: DatabaseConnection,
}

impl InventoryLoader {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// The stock levels of a variant, one per warehouse that stocks it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct StockOfVariant(pub Uuid);

/// Units available (on hand − allocated) over all variants and warehouses of a product.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct AvailableOfProduct(pub Uuid);

impl Loader<StockOfVariant> for InventoryLoader {
    type Value = Vec<stock_level::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[StockOfVariant],
    ) -> Result<HashMap<StockOfVariant, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
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

impl Loader<AvailableOfProduct> for InventoryLoader {
    type Value = i64;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[AvailableOfProduct],
    ) -> Result<HashMap<AvailableOfProduct, i64>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        // SUM over an integer column is BIGINT on PostgreSQL and INTEGER on SQLite; the cast
        // makes both decode as i64. (Plain SQL: sea-query's `$1` expression placeholders are
        // not substituted by its SQLite builder.)
        let available = Expr::cust(
            r#"CAST(SUM("stock_levels"."on_hand" - "stock_levels"."allocated") AS BIGINT)"#,
        );
        let rows: Vec<(Uuid, i64)> = stock_level::Entity::find()
            .select_only()
            .column(product_variant::Column::ProductId)
            .expr(available)
            .join(
                JoinType::InnerJoin,
                stock_level::Relation::ProductVariant.def(),
            )
            .filter(product_variant::Column::ProductId.is_in(ids))
            .group_by(product_variant::Column::ProductId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut map: HashMap<AvailableOfProduct, i64> = keys.iter().map(|k| (*k, 0)).collect();
        map.extend(rows.into_iter().map(|(id, n)| (AvailableOfProduct(id), n)));
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
