use crate::enums::PaymentStatus;
use crate::json::NextActionJson;
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
    /// Minor units captured so far (at most `amount`).
    pub captured_amount: i64,
    /// Minor units refunded (succeeded refunds).
    pub refunded_amount: i64,
    /// Minor units of refunds still at the provider: counted against what may be refunded,
    /// so concurrent refunds never exceed `captured_amount`.
    pub refund_reserved: i64,
    /// `capture` or `void` while one is at the provider, so two cannot run at once.
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub operation: Option<String>,
    pub operation_started_at: Option<DateTimeUtc>,
    /// What the customer must do before the payment completes (3-D Secure).
    #[sea_orm(column_type = "JsonBinary")]
    pub next_action: Option<NextActionJson>,
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
