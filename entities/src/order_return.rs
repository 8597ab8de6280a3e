//! The `returns` table. The module is `order_return` because `return` is a Rust keyword.

use crate::enums::ReturnStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Units of an order its customer sends back, and where that stands.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "returns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub status: ReturnStatus,
    /// Why staff declined it (shown to the customer).
    pub decline_reason: Option<String>,
    /// Whether receiving it put the units back on hand.
    pub restocked: bool,
    /// Who asked: the customer's (or staff's) account; `None` for a guest with the order's key.
    pub requested_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub received_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::order::Entity",
        from = "Column::OrderId",
        to = "super::order::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_returns_order"
    )]
    Order,
    #[sea_orm(has_many = "super::return_line::Entity")]
    ReturnLine,
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl Related<super::return_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ReturnLine.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
