use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A static storefront page. `body_html` is stored sanitised, so every reader may send it
/// as it is.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "pages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(160))", unique)]
    pub handle: String,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    #[sea_orm(column_type = "String(StringLen::N(1000))")]
    pub summary: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub seo_title: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(1000))")]
    pub seo_description: Option<String>,
    pub published: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
