use crate::enums::PaymentStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One payment attempt for an order at a provider.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(32))")]
    pub provider: String,
    pub status: PaymentStatus,
    pub amount: i64,
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub currency_code: String,
    /// The provider's id for the payment; `(provider, provider_reference)` is unique.
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub provider_reference: Option<String>,
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
        fk_name = "fk_payments_order"
    )]
    Order,
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
