//! Infrastructure: the transactional outbox and named counters.

use crate::{create_indexes, drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// The signatures must elide `SchemaManager`'s lifetime exactly as the (async_trait) trait does.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite has transactional DDL too: a failed run leaves nothing half-created.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(pk_uuid(Outbox::Id))
                    .col(string_len(Outbox::Topic, 64))
                    .col(uuid(Outbox::AggregateId))
                    .col(json_binary(Outbox::Payload))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::PublishedAt))
                    .col(integer(Outbox::Attempts).default(0))
                    .to_owned(),
            )
            .await?;
        // The publisher polls `published_at IS NULL ORDER BY id`.
        create_indexes(
            manager,
            [index(
                "idx_outbox_published_at_id",
                Outbox::Table,
                [Outbox::PublishedAt, Outbox::Id],
            )],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sequences::Table)
                    .col(string_len(Sequences::Name, 32).primary_key())
                    .col(big_integer(Sequences::Value))
                    .to_owned(),
            )
            .await?;
        // Numbers are handed out by `value = value + 1 RETURNING value`: the first order is 1001.
        let order_number = Query::insert()
            .into_table(Sequences::Table)
            .columns([Sequences::Name, Sequences::Value])
            .values_panic(["order_number".into(), 1000_i64.into()])
            .to_owned();
        manager.execute(order_number).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [Sequences::Table.into_iden(), Outbox::Table.into_iden()],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Topic,
    AggregateId,
    Payload,
    CreatedAt,
    PublishedAt,
    Attempts,
}

#[derive(DeriveIden)]
enum Sequences {
    Table,
    Name,
    Value,
}
