use crate::json::StringList;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a set of shipping methods applies: the countries (ISO 3166 alpha-2) of a cart's
/// shipping address. A country may be in several zones; a cart sees the methods of all of
/// them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "shipping_zones")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(100))")]
    pub name: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub countries: StringList,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::shipping_method::Entity")]
    ShippingMethod,
}

impl Related<super::shipping_method::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ShippingMethod.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
