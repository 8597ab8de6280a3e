use crate::enums::{OrderFulfillmentStatus, OrderPaymentStatus, OrderStatus};
use crate::json::MailingAddress;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A placed order. Amounts are minor units of `currency_code`, frozen at checkout.
/// `(cart_id, idempotency_key)` is unique so a retried checkout finds the first order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Human-facing number, taken inside the order's INSERT (see `sequences`).
    #[sea_orm(unique)]
    pub number: i64,
    pub customer_id: Option<Uuid>,
    pub cart_id: Option<Uuid>,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub idempotency_key: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(320))")]
    pub email: String,
    pub status: OrderStatus,
    /// The payment dimension (SPEC §8); moved only by the order process table.
    pub payment_status: OrderPaymentStatus,
    /// The fulfilment dimension (SPEC §8); moved only by the order process table.
    pub fulfillment_status: OrderFulfillmentStatus,
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub currency_code: String,
    pub subtotal: i64,
    pub discount_total: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub total: i64,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub discount_code: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub shipping_address: Option<MailingAddress>,
    /// Where the invoice goes; an order without one bills the shipping address.
    #[sea_orm(column_type = "JsonBinary")]
    pub billing_address: Option<MailingAddress>,
    /// Whether a refund has claimed the shipping charge (it is refunded at most once).
    pub shipping_refunded: bool,
    /// The shipping method chosen at checkout (null for the built-in flat rate and for orders
    /// placed before shipping methods existed) and its name then: the order keeps what the
    /// buyer chose even if staff rename or delete the method later.
    pub shipping_method_id: Option<Uuid>,
    #[sea_orm(column_type = "String(StringLen::N(100))")]
    pub shipping_method_name: Option<String>,
    /// Where the order stands in `products.units_sold`: 0 not counted yet, 1 counted, 2 taken
    /// back or never counted (cancelled). Moved only by the units-sold consumer.
    pub units_counted: i16,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// SET NULL: the order is history and outlives the customer account.
    #[sea_orm(
        belongs_to = "super::customer::Entity",
        from = "Column::CustomerId",
        to = "super::customer::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_orders_customer"
    )]
    Customer,
    #[sea_orm(
        belongs_to = "super::cart::Entity",
        from = "Column::CartId",
        to = "super::cart::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_orders_cart"
    )]
    Cart,
    #[sea_orm(has_many = "super::order_line::Entity")]
    OrderLine,
    #[sea_orm(has_many = "super::order_event::Entity")]
    OrderEvent,
    #[sea_orm(has_many = "super::payment::Entity")]
    Payment,
}

impl Related<super::customer::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Customer.def()
    }
}

impl Related<super::cart::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cart.def()
    }
}

impl Related<super::order_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OrderLine.def()
    }
}

impl Related<super::order_event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OrderEvent.def()
    }
}

impl Related<super::payment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Payment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
