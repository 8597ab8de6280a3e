use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Stock of one variant in one warehouse. The table's CHECK (`allocated >= 0 AND
/// on_hand >= allocated`) rejects any update that would oversell, whatever the caller.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "stock_levels")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub variant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub warehouse_id: Uuid,
    pub on_hand: i32,
    pub allocated: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::product_variant::Entity",
        from = "Column::VariantId",
        to = "super::product_variant::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_stock_levels_variant"
    )]
    ProductVariant,
    /// RESTRICT: a warehouse that still holds stock records cannot disappear.
    #[sea_orm(
        belongs_to = "super::warehouse::Entity",
        from = "Column::WarehouseId",
        to = "super::warehouse::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_stock_levels_warehouse"
    )]
    Warehouse,
}

impl Related<super::product_variant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProductVariant.def()
    }
}

impl Related<super::warehouse::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Warehouse.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
