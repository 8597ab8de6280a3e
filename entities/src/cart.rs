use crate::enums::CartStatus;
use crate::json::{MailingAddress, StringList};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A shopping cart. Its id is a UUIDv4, not v7: for a guest it is the only credential, so it
/// must not be guessable from the time it was created.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "carts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub customer_id: Option<Uuid>,
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub currency_code: String,
    #[sea_orm(column_type = "String(StringLen::N(320))")]
    pub email: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub shipping_address: Option<MailingAddress>,
    /// Where the invoice goes; an order without one bills the shipping address.
    #[sea_orm(column_type = "JsonBinary")]
    pub billing_address: Option<MailingAddress>,
    #[sea_orm(column_type = "JsonBinary")]
    pub discount_codes: StringList,
    /// The shipping method the buyer chose (`cartShippingMethodUpdate`). No foreign key: a
    /// method deleted or moved out of the address's zone simply no longer applies, and
    /// checkout says so instead of picking another.
    pub shipping_method_id: Option<Uuid>,
    pub status: CartStatus,
    /// No foreign key: orders are created after carts (and live in a later migration).
    pub converted_order_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the cart was reported abandoned (CART_ABANDONED): once per cart, never again.
    pub abandoned_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::customer::Entity",
        from = "Column::CustomerId",
        to = "super::customer::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_carts_customer"
    )]
    Customer,
    #[sea_orm(has_many = "super::cart_line::Entity")]
    CartLine,
    #[sea_orm(has_many = "super::order::Entity")]
    Order,
}

impl Related<super::customer::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Customer.def()
    }
}

impl Related<super::cart_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CartLine.def()
    }
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
