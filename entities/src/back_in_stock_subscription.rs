use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Someone waiting for an out-of-stock variant (`backInStockSubscribe`). Done once
/// `notified_at` is set: the variant came back and BACK_IN_STOCK was raised for it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "back_in_stock_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub variant_id: Uuid,
    /// Normalised like account emails.
    #[sea_orm(column_type = "String(StringLen::N(320))")]
    pub email: String,
    /// The signed-in customer who asked, if any.
    pub customer_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub notified_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::product_variant::Entity",
        from = "Column::VariantId",
        to = "super::product_variant::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_back_in_stock_subscriptions_variant"
    )]
    ProductVariant,
    #[sea_orm(
        belongs_to = "super::customer::Entity",
        from = "Column::CustomerId",
        to = "super::customer::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_back_in_stock_subscriptions_customer"
    )]
    Customer,
}

impl Related<super::product_variant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProductVariant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
