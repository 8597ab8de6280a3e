//! The relay's claim, `published_at IS NULL ORDER BY id LIMIT n`, walked the primary key from
//! the oldest event and filtered out every published one on the way (they stay for the
//! retention period): under checkout load each claim read tens of thousands of rows. A
//! partial index holds only the pending events, in claim order.

use crate::{create_indexes, index};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "idx_outbox_pending_id";

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut pending = index(NAME, Outbox::Table, [Outbox::Id]);
        pending.and_where(Expr::col(Outbox::PublishedAt).is_null());
        create_indexes(manager, [pending]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(Outbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    PublishedAt,
}
