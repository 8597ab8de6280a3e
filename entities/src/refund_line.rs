use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Units of one order line a refund gave money back for, and how much.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "refund_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub refund_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_line_id: Uuid,
    pub quantity: i32,
    /// Minor units: the line's share of what was paid for these units (discounts and tax
    /// apportioned, rounded down).
    pub amount: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::refund::Entity",
        from = "Column::RefundId",
        to = "super::refund::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_refund_lines_refund"
    )]
    Refund,
}

impl Related<super::refund::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Refund.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
