//! The audit log (issue 18): one row per staff mutation, written by the unit of work that
//! made the change, in the same transaction.
//!
//! - `actor_id` has no foreign key: the log must outlive the accounts it names.
//! - `target_id` is text, not a uuid: most targets are rows with uuid keys, but the log must
//!   not stop a context from auditing something keyed otherwise.
//! - `changes` holds `[{"field":…, "before":…, "after":…}]`; secret fields never reach it.

use crate::{create_indexes, drop_tables, index};
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
                    .table(AuditEvents::Table)
                    .col(pk_uuid(AuditEvents::Id))
                    .col(uuid(AuditEvents::ActorId))
                    .col(string_len(AuditEvents::Action, 64))
                    .col(string_len_null(AuditEvents::TargetType, 32))
                    .col(string_len_null(AuditEvents::TargetId, 64))
                    .col(json_binary(AuditEvents::Changes))
                    .col(string_len_null(AuditEvents::RequestId, 64))
                    .col(timestamp_with_time_zone(AuditEvents::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // Staff read the log newest first (ids are v7), filtered by who, what or which action.
        create_indexes(
            manager,
            [
                index(
                    "idx_audit_events_actor_id",
                    AuditEvents::Table,
                    [AuditEvents::ActorId, AuditEvents::Id],
                ),
                index(
                    "idx_audit_events_target_id",
                    AuditEvents::Table,
                    [AuditEvents::TargetId, AuditEvents::Id],
                ),
                index(
                    "idx_audit_events_action",
                    AuditEvents::Table,
                    [AuditEvents::Action, AuditEvents::Id],
                ),
                index(
                    "idx_audit_events_created_at",
                    AuditEvents::Table,
                    [AuditEvents::CreatedAt],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [AuditEvents::Table.into_iden()]).await
    }
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    ActorId,
    Action,
    TargetType,
    TargetId,
    Changes,
    RequestId,
    CreatedAt,
}
