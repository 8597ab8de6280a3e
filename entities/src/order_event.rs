use crate::enums::{OrderEventKind, OrderStatus};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One entry of an order's history (append-only).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "order_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub kind: OrderEventKind,
    pub from_status: Option<OrderStatus>,
    pub to_status: Option<OrderStatus>,
    #[sea_orm(column_type = "Text")]
    pub message: Option<String>,
    /// The customer or staff member who caused the event; `None` for the system.
    pub actor_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::order::Entity",
        from = "Column::OrderId",
        to = "super::order::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_order_events_order"
    )]
    Order,
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
