//! Orders: the access keys that let a guest read and follow an order (SPEC §8 "Guest
//! orders").
//!
//! `order_access_keys`: checkout hands the buyer a random key and keeps only its SHA-256
//! (hex), so a copy of the database opens no order. The hash is the primary key: looking an
//! order up by its key is one index probe. An order can have several keys (an idempotent
//! replay of the checkout cannot show the first one again, so it issues another); they go
//! with the order (`ON DELETE CASCADE`), and `order_id` is indexed for counting them and for
//! the cascade.

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
                    .table(OrderAccessKeys::Table)
                    .col(string_len(OrderAccessKeys::KeyHash, 64).primary_key())
                    .col(uuid(OrderAccessKeys::OrderId))
                    .col(timestamp_with_time_zone(OrderAccessKeys::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_access_keys_order")
                            .from(OrderAccessKeys::Table, OrderAccessKeys::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [index(
                "idx_order_access_keys_order_id",
                OrderAccessKeys::Table,
                [OrderAccessKeys::OrderId],
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [OrderAccessKeys::Table.into_iden()]).await
    }
}

#[derive(DeriveIden)]
enum OrderAccessKeys {
    Table,
    KeyHash,
    OrderId,
    CreatedAt,
}

/// Created by an earlier migration; named here so this file does not depend on it.
#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
}
