use crate::enums::ProductStatus;
use crate::json::{NameValueList, StringList};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub category_id: Option<Uuid>,
    #[sea_orm(column_type = "String(StringLen::N(160))", unique)]
    pub slug: String,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(128))")]
    pub brand: Option<String>,
    pub status: ProductStatus,
    #[sea_orm(column_type = "JsonBinary")]
    pub attributes: NameValueList,
    pub popularity: i32,
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: StringList,
    /// Sanitised on save.
    #[sea_orm(column_type = "Text")]
    pub description_html: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub seo_title: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(1000))")]
    pub seo_description: Option<String>,
    /// Units of the product in orders, counted once per order by the relay's consumer.
    pub units_sold: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::category::Entity",
        from = "Column::CategoryId",
        to = "super::category::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_products_category"
    )]
    Category,
    #[sea_orm(has_many = "super::product_image::Entity")]
    ProductImage,
    #[sea_orm(has_many = "super::product_variant::Entity")]
    ProductVariant,
    #[sea_orm(has_many = "super::product_price_range::Entity")]
    ProductPriceRange,
}

impl Related<super::category::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Category.def()
    }
}

impl Related<super::product_image::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProductImage.def()
    }
}

impl Related<super::product_variant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProductVariant.def()
    }
}

impl Related<super::product_price_range::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProductPriceRange.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
