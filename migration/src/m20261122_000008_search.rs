//! Search: the queue of products whose search documents must be rebuilt.

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
        // One row per product, whatever the number of changes: the outbox relay upserts
        // (`version` + 1, `queued_at` kept so busy products do not starve), and the search
        // sync deletes a row only if `version` is still what it read, so a change arriving
        // mid-sync is never lost. No foreign key: deleted products stay queued so their
        // documents get removed.
        manager
            .create_table(
                Table::create()
                    .table(SearchQueue::Table)
                    .col(pk_uuid(SearchQueue::ProductId))
                    .col(timestamp_with_time_zone(SearchQueue::QueuedAt))
                    .col(big_integer(SearchQueue::Version).default(0))
                    .to_owned(),
            )
            .await?;
        // The sync takes the oldest first.
        create_indexes(
            manager,
            [index(
                "idx_search_queue_queued_at",
                SearchQueue::Table,
                [SearchQueue::QueuedAt],
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [SearchQueue::Table.into_iden()]).await
    }
}

#[derive(DeriveIden)]
enum SearchQueue {
    Table,
    ProductId,
    QueuedAt,
    Version,
}
