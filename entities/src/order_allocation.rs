use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a line's stock was allocated, so cancellation and fulfilment touch exactly those
/// stock rows.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "order_allocations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_line_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub warehouse_id: Uuid,
    pub quantity: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::order_line::Entity",
        from = "Column::OrderLineId",
        to = "super::order_line::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_order_allocations_order_line"
    )]
    OrderLine,
    #[sea_orm(
        belongs_to = "super::warehouse::Entity",
        from = "Column::WarehouseId",
        to = "super::warehouse::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_order_allocations_warehouse"
    )]
    Warehouse,
}

impl Related<super::order_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OrderLine.def()
    }
}

impl Related<super::warehouse::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Warehouse.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
