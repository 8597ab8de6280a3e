//! Discount codes.

use crate::{create_indexes, drop_tables, unique_index};
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
        // Two checkouts racing for the last use: the second increment violates the CHECK.
        let within_limit = Expr::col(Discounts::UsageLimit)
            .is_null()
            .or(Expr::col(Discounts::UsageCount).lte(Expr::col(Discounts::UsageLimit)));
        manager
            .create_table(
                Table::create()
                    .table(Discounts::Table)
                    .col(pk_uuid(Discounts::Id))
                    .col(string_len(Discounts::Code, 64))
                    .col(string_len(Discounts::Kind, 16))
                    .col(big_integer(Discounts::Value))
                    .col(string_len_null(Discounts::CurrencyCode, 3))
                    .col(big_integer_null(Discounts::MinimumSubtotal))
                    .col(timestamp_with_time_zone_null(Discounts::StartsAt))
                    .col(timestamp_with_time_zone_null(Discounts::EndsAt))
                    .col(integer_null(Discounts::UsageLimit))
                    .col(integer(Discounts::UsageCount).default(0))
                    .col(boolean(Discounts::Active).default(true))
                    .col(timestamp_with_time_zone(Discounts::CreatedAt))
                    .col(timestamp_with_time_zone(Discounts::UpdatedAt))
                    .check(("chk_discounts_usage_limit", within_limit))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [unique_index(
                "uq_discounts_code",
                Discounts::Table,
                [Discounts::Code],
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [Discounts::Table.into_iden()]).await
    }
}

#[derive(DeriveIden)]
enum Discounts {
    Table,
    Id,
    Code,
    Kind,
    Value,
    CurrencyCode,
    MinimumSubtotal,
    StartsAt,
    EndsAt,
    UsageLimit,
    UsageCount,
    Active,
    CreatedAt,
    UpdatedAt,
}
