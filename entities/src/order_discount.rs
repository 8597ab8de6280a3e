use crate::enums::DiscountKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A discount an order used: one use of its allowance, taken at checkout and given back
/// (once: `returned_at` is set) when the order is cancelled before shipping. `code`, `kind`
/// and `amount` are a snapshot; the discount itself may be deleted later (`discount_id`
/// becomes NULL).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "order_discounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_id: Uuid,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(64))"
    )]
    pub code: String,
    pub discount_id: Option<Uuid>,
    pub kind: DiscountKind,
    /// What it took off the order, in minor units of the order's currency (for free
    /// shipping: the shipping it waived).
    pub amount: i64,
    /// When the use was given back to the discount's allowance; `None` while it counts.
    pub returned_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::order::Entity",
        from = "Column::OrderId",
        to = "super::order::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_order_discounts_order"
    )]
    Order,
    /// SET NULL: deleting a discount leaves the orders' record of it.
    #[sea_orm(
        belongs_to = "super::discount::Entity",
        from = "Column::DiscountId",
        to = "super::discount::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_order_discounts_discount"
    )]
    Discount,
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl Related<super::discount::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Discount.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
