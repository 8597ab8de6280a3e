use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A key that opens one order to whoever holds it (a guest's order-status page). Only the
/// key's SHA-256 is stored: the key itself is shown once, in the checkout's answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "order_access_keys")]
pub struct Model {
    /// SHA-256 hex of the key.
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(64))"
    )]
    pub key_hash: String,
    pub order_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::order::Entity",
        from = "Column::OrderId",
        to = "super::order::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_order_access_keys_order"
    )]
    Order,
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
