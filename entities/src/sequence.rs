use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A named counter, bumped with `UPDATE … SET value = value + 1 RETURNING value`: portable
/// (SQLite has no sequences) and gap-free within committed transactions.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sequences")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(32))"
    )]
    pub name: String,
    pub value: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
