use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A provider callback already processed: inserting its key first makes redeliveries no-ops,
/// and the answer it got is kept so a redelivery is answered the same (a refused event stays
/// refused, without side effects).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "payment_webhook_events")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(32))"
    )]
    pub provider: String,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(255))"
    )]
    pub event_id: String,
    pub received_at: DateTimeUtc,
    /// The HTTP status the event was answered with (200 when it was processed).
    pub answer_status: i32,
    /// Why it was refused (4xx answers); `None` when it was processed.
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub answer_message: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
