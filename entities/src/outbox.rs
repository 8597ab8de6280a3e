use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An event written in the same transaction as the change it describes, published afterwards
/// (transactional outbox). The UUIDv7 id makes `ORDER BY id` commit order within a writer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `stock.changed`, `order.updated`, `catalog.changed`
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub topic: String,
    pub aggregate_id: Uuid,
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    pub created_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    pub attempts: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
