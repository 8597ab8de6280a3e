use crate::enums::WebhookDeliveryStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One message for one webhook: the exact body queued by the outbox relay (so every attempt
/// sends the same bytes) and how its attempts went. `(webhook_id, event_id)` is unique, so a
/// relay that repeats a batch queues nothing twice.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// The message id (`webhook-id` header and the body's `id`): the outbox event's id, or
    /// one derived from it for a second message of the same event (STOCK_OUT).
    pub event_id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(32))")]
    pub topic: String,
    /// The JSON body, byte for byte as sent.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub status: WebhookDeliveryStatus,
    /// Attempts started (a claim counts one, so a sender that crashed mid-attempt counts).
    pub attempts: i32,
    pub last_response_status: Option<i32>,
    #[sea_orm(column_type = "String(StringLen::N(500))")]
    pub last_error: Option<String>,
    /// When a worker may next claim it: due PENDING/FAILED deliveries, or the end of a
    /// claim's lease; null once it SUCCEEDED or GAVE_UP.
    pub next_attempt_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When a receiver accepted it.
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::webhook::Entity",
        from = "Column::WebhookId",
        to = "super::webhook::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_webhook_deliveries_webhook"
    )]
    Webhook,
}

impl Related<super::webhook::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Webhook.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
