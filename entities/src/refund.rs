use crate::enums::RefundStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Money given back on an order's payment. `(order_id, idempotency_key)` is unique so a
/// repeated request finds the first refund.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "refunds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub payment_id: Uuid,
    pub status: RefundStatus,
    /// Minor units of `currency_code`, shipping included.
    pub amount: i64,
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub currency_code: String,
    /// The part of `amount` that is the shipping charge.
    pub shipping_amount: i64,
    /// Whether the refunded units went back to stock.
    pub restock: bool,
    #[sea_orm(column_type = "String(StringLen::N(1000))")]
    pub reason: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub idempotency_key: String,
    /// The provider's id for the refund.
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub provider_reference: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(1000))")]
    pub failure_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::order::Entity",
        from = "Column::OrderId",
        to = "super::order::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_refunds_order"
    )]
    Order,
    #[sea_orm(has_many = "super::refund_line::Entity")]
    RefundLine,
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl Related<super::refund_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RefundLine.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
