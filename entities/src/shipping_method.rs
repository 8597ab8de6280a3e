use crate::json::ShippingPriceList;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A way to ship within a zone, priced per currency (a cart in a currency the method has no
/// price in does not see it).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "shipping_methods")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub zone_id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(100))")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub prices: ShippingPriceList,
    pub min_delivery_days: Option<i32>,
    pub max_delivery_days: Option<i32>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::shipping_zone::Entity",
        from = "Column::ZoneId",
        to = "super::shipping_zone::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_shipping_methods_zone"
    )]
    ShippingZone,
}

impl Related<super::shipping_zone::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ShippingZone.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
