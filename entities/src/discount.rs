use crate::enums::DiscountKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A discount code. The table's CHECK (`usage_limit IS NULL OR usage_count <= usage_limit`)
/// makes a redemption past the limit fail even when two checkouts race.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "discounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Normalised upper-case.
    #[sea_orm(column_type = "String(StringLen::N(64))", unique)]
    pub code: String,
    pub kind: DiscountKind,
    /// Basis points for percentages, minor units for fixed amounts, 0 for free shipping.
    pub value: i64,
    /// Fixed amounts and minimums are in this one currency.
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub currency_code: Option<String>,
    pub minimum_subtotal: Option<i64>,
    pub starts_at: Option<DateTimeUtc>,
    pub ends_at: Option<DateTimeUtc>,
    pub usage_limit: Option<i32>,
    pub usage_count: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
