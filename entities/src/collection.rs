use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A curated, ordered list of products (its members are `collection_products` rows).
/// `description` is plain text; the image and SEO fields are optional overrides a storefront
/// shows as they are.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "collections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(160))", unique)]
    pub handle: String,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub image_url: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub image_alt: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub seo_title: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(1000))")]
    pub seo_description: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::collection_product::Entity")]
    CollectionProduct,
}

impl Related<super::collection_product::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CollectionProduct.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
