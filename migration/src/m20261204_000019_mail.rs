//! Email notifications (SPEC §9 "Email").
//!
//! - `mail_jobs`: one row per mail to send. The relay writes it in the transaction that marks
//!   the causing event published, and `(event_id, template)` is unique, so an event that is
//!   relayed twice (a crash between publishing and committing) still queues its mail once.
//!   The sender claims due rows (`status`, `next_attempt_at`), sends outside any transaction
//!   and records SENT, a retry (attempts, last error, next attempt) or FAILED.
//! - `mail_suppressions`: addresses that unsubscribed from marketing mail (back in stock,
//!   abandoned cart); transactional mail (orders) is still sent to them.
//! - `fulfillments.notify_customer`: whether the shipment's customer gets a "shipped" mail
//!   (`fulfillmentCreate(input: { notifyCustomer })`); earlier shipments did not ask, so true.
//!
//! Number 000019: 000018 is outgoing webhooks, made on another branch at the same time.

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
                    .table(MailJobs::Table)
                    .col(pk_uuid(MailJobs::Id))
                    .col(uuid(MailJobs::EventId))
                    .col(string_len(MailJobs::Template, 64))
                    .col(string_len(MailJobs::Recipient, 320))
                    .col(json_binary(MailJobs::Payload))
                    .col(string_len(MailJobs::Status, 16))
                    .col(integer(MailJobs::Attempts).default(0))
                    .col(text_null(MailJobs::LastError))
                    .col(timestamp_with_time_zone(MailJobs::NextAttemptAt))
                    .col(timestamp_with_time_zone(MailJobs::CreatedAt))
                    .col(timestamp_with_time_zone_null(MailJobs::SentAt))
                    .check(Expr::col(MailJobs::Attempts).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MailSuppressions::Table)
                    .col(string_len(MailSuppressions::Email, 320).primary_key())
                    .col(timestamp_with_time_zone(MailSuppressions::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Fulfillments::Table)
                    .add_column(boolean(Fulfillments::NotifyCustomer).default(true))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
                // One mail per event and template, however often the relay sees the event.
                unique_index(
                    "uq_mail_jobs_event_id_template",
                    MailJobs::Table,
                    [MailJobs::EventId, MailJobs::Template],
                ),
                // The sender's claim: due PENDING jobs, soonest first.
                index(
                    "idx_mail_jobs_status_next_attempt_at",
                    MailJobs::Table,
                    [MailJobs::Status, MailJobs::NextAttemptAt],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Fulfillments::Table)
                    .drop_column(Fulfillments::NotifyCustomer)
                    .to_owned(),
            )
            .await?;
        drop_tables(
            manager,
            [
                MailSuppressions::Table.into_iden(),
                MailJobs::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum MailJobs {
    Table,
    Id,
    EventId,
    Template,
    Recipient,
    Payload,
    Status,
    Attempts,
    LastError,
    NextAttemptAt,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum MailSuppressions {
    Table,
    Email,
    CreatedAt,
}

/// Created by an earlier migration; named here so this file does not depend on it.
#[derive(DeriveIden)]
enum Fulfillments {
    Table,
    NotifyCustomer,
}
