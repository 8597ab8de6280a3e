use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A snapshot of what was bought: names, SKU and prices are copied, never joined to the
/// catalog for display, so later catalog edits do not rewrite history.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "order_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub variant_id: Option<Uuid>,
    /// No foreign key: only a hint for links, the snapshot is the truth.
    pub product_id: Option<Uuid>,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub sku: String,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub product_name: String,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub variant_name: String,
    pub quantity: i32,
    pub unit_price: i64,
    pub total: i64,
    pub position: i32,
    /// Units claimed by refunds (pending or succeeded); never more than `quantity`.
    pub refunded_quantity: i32,
    /// Units on shipments that were not cancelled.
    pub shipped_quantity: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::order::Entity",
        from = "Column::OrderId",
        to = "super::order::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_order_lines_order"
    )]
    Order,
    /// SET NULL: deleting a variant must not delete order history.
    #[sea_orm(
        belongs_to = "super::product_variant::Entity",
        from = "Column::VariantId",
        to = "super::product_variant::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_order_lines_variant"
    )]
    ProductVariant,
    #[sea_orm(has_many = "super::order_allocation::Entity")]
    OrderAllocation,
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl Related<super::product_variant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProductVariant.def()
    }
}

impl Related<super::order_allocation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OrderAllocation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
