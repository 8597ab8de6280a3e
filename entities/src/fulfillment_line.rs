use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Units of one order line a shipment took from one warehouse.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "fulfillment_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub fulfillment_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_line_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub warehouse_id: Uuid,
    pub quantity: i32,
    /// Units back from the customer: received returns (restocked or not) and refunds with
    /// `restock`. The one count of units back, so none comes back twice.
    pub returned_quantity: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::fulfillment::Entity",
        from = "Column::FulfillmentId",
        to = "super::fulfillment::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_fulfillment_lines_fulfillment"
    )]
    Fulfillment,
}

impl Related<super::fulfillment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Fulfillment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
