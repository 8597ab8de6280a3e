use crate::json::NameValueList;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "product_variants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub product_id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(64))", unique)]
    pub sku: String,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub name: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub options: NameValueList,
    pub position: i32,
    pub low_stock_threshold: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::product::Entity",
        from = "Column::ProductId",
        to = "super::product::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_product_variants_product"
    )]
    Product,
    #[sea_orm(has_many = "super::variant_price::Entity")]
    VariantPrice,
    #[sea_orm(has_many = "super::stock_level::Entity")]
    StockLevel,
    #[sea_orm(has_many = "super::cart_line::Entity")]
    CartLine,
    #[sea_orm(has_many = "super::order_line::Entity")]
    OrderLine,
}

impl Related<super::product::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Product.def()
    }
}

impl Related<super::variant_price::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::VariantPrice.def()
    }
}

impl Related<super::stock_level::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StockLevel.def()
    }
}

impl Related<super::cart_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CartLine.def()
    }
}

impl Related<super::order_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OrderLine.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
