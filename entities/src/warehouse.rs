use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "warehouses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(32))", unique)]
    pub code: String,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub name: String,
    /// Allocation order: lower first.
    pub priority: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::stock_level::Entity")]
    StockLevel,
    #[sea_orm(has_many = "super::order_allocation::Entity")]
    OrderAllocation,
}

impl Related<super::stock_level::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StockLevel.def()
    }
}

impl Related<super::order_allocation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OrderAllocation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
