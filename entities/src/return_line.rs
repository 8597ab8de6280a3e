use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Units of one order line a return sends back, and the customer's reason.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "return_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub return_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_line_id: Uuid,
    pub quantity: i32,
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::order_return::Entity",
        from = "Column::ReturnId",
        to = "super::order_return::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_return_lines_return"
    )]
    OrderReturn,
}

impl Related<super::order_return::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OrderReturn.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
