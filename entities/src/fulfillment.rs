use crate::enums::FulfillmentStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One shipment of some of an order's units, with its tracking.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "fulfillments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub status: FulfillmentStatus,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub tracking_company: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub tracking_number: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(2048))")]
    pub tracking_url: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub shipped_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// Whether the customer gets a "shipped" mail for it (`notifyCustomer`).
    pub notify_customer: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::order::Entity",
        from = "Column::OrderId",
        to = "super::order::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_fulfillments_order"
    )]
    Order,
    #[sea_orm(has_many = "super::fulfillment_line::Entity")]
    FulfillmentLine,
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl Related<super::fulfillment_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FulfillmentLine.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
