use crate::enums::MailJobStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One mail to send (SPEC §9 "Email"), queued by the outbox relay for the event that calls
/// for it. `(event_id, template)` is unique: an event relayed twice queues its mail once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "mail_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The outbox event that called for it (or a fresh id for a mail sent on request).
    pub event_id: Uuid,
    /// Which mail: `order_confirmation`, `order_shipped`, … (the template's name).
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub template: String,
    #[sea_orm(column_type = "String(StringLen::N(320))")]
    pub recipient: String,
    /// What the mail is about (ids to read when it is rendered), as the template's kind
    /// encodes it.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    pub status: MailJobStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// When a PENDING job may be (re)tried; while a sender holds it, the end of its lease.
    pub next_attempt_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
