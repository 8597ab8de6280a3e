//! Outgoing webhooks (SPEC §9).
//!
//! - `webhooks`: where staff want events POSTed, for which topics, and the secret that signs
//!   them. The secret is stored as given to staff (it must be, to sign); it is shown once and
//!   never read back through the API. `consecutive_failures` switches a webhook off when it
//!   reaches `WEBHOOK_DISABLE_AFTER_FAILURES` (`disabled_reason` says why).
//! - `webhook_deliveries`: one row per message and webhook, queued by the outbox relay in the
//!   transaction that marks the event published, with the exact body sent on every attempt.
//!   `(webhook_id, event_id)` is unique, so a repeated relay pass queues nothing twice;
//!   `(status, next_attempt_at)` is what the delivery workers claim from. Rows outlive the
//!   outbox events they came from (published events are purged).
//!
//! Number 000018: 000019 is the email notifications, made on another branch at the same time.

use crate::{create_indexes, drop_tables, index, unique_index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhooks::Table)
                    .col(pk_uuid(Webhooks::Id))
                    .col(string_len(Webhooks::Url, 2048))
                    .col(json_binary(Webhooks::Topics))
                    .col(string_len_null(Webhooks::Description, 255))
                    .col(boolean(Webhooks::Active).default(true))
                    .col(string_len(Webhooks::Secret, 128))
                    .col(integer(Webhooks::ConsecutiveFailures).default(0))
                    .col(string_len_null(Webhooks::DisabledReason, 255))
                    .col(timestamp_with_time_zone(Webhooks::CreatedAt))
                    .col(timestamp_with_time_zone(Webhooks::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(pk_uuid(WebhookDeliveries::Id))
                    .col(uuid(WebhookDeliveries::WebhookId))
                    .col(uuid(WebhookDeliveries::EventId))
                    .col(string_len(WebhookDeliveries::Topic, 32))
                    .col(text(WebhookDeliveries::Body))
                    .col(string_len(WebhookDeliveries::Status, 16))
                    .col(integer(WebhookDeliveries::Attempts).default(0))
                    .col(integer_null(WebhookDeliveries::LastResponseStatus))
                    .col(string_len_null(WebhookDeliveries::LastError, 500))
                    .col(timestamp_with_time_zone_null(
                        WebhookDeliveries::NextAttemptAt,
                    ))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookDeliveries::UpdatedAt))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_webhook")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::WebhookId)
                            .to(Webhooks::Table, Webhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(Expr::col(WebhookDeliveries::Attempts).gte(0))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
                // One message per webhook, however often the relay repeats a batch.
                unique_index(
                    "uq_webhook_deliveries_webhook_id_event_id",
                    WebhookDeliveries::Table,
                    [WebhookDeliveries::WebhookId, WebhookDeliveries::EventId],
                ),
                // What the workers claim: due PENDING and FAILED deliveries, soonest first.
                index(
                    "idx_webhook_deliveries_status_next_attempt_at",
                    WebhookDeliveries::Table,
                    [WebhookDeliveries::Status, WebhookDeliveries::NextAttemptAt],
                ),
                // `Webhook.deliveries`: newest first.
                index(
                    "idx_webhook_deliveries_webhook_id_id",
                    WebhookDeliveries::Table,
                    [WebhookDeliveries::WebhookId, WebhookDeliveries::Id],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                WebhookDeliveries::Table.into_iden(),
                Webhooks::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Id,
    Url,
    Topics,
    Description,
    Active,
    Secret,
    ConsecutiveFailures,
    DisabledReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    WebhookId,
    EventId,
    Topic,
    Body,
    Status,
    Attempts,
    LastResponseStatus,
    LastError,
    NextAttemptAt,
    CreatedAt,
    UpdatedAt,
    SentAt,
}
