use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One staff mutation: who made it, which mutation, what it changed (`changes`:
/// `[{"field":…,"before":…,"after":…}]`, secrets never), and the request it came in.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The staff account; no foreign key, so the log outlives it.
    pub actor_id: Uuid,
    /// The mutation (`productUpdate`).
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub action: String,
    /// What kind of thing it changed (`Product`), when the service said.
    #[sea_orm(column_type = "String(StringLen::N(32))")]
    pub target_type: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub target_id: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub changes: Json,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub request_id: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
