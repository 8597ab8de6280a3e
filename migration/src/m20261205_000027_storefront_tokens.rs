//! Storefront access tokens (issue 19): what a storefront sends as
//! `X-Shopify-Storefront-Access-Token` to the Shopify-shaped endpoint. Staff create them
//! (`storefrontTokenCreate`); the token is shown once and only its SHA-256 is stored.

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
                    .table(StorefrontTokens::Table)
                    .col(pk_uuid(StorefrontTokens::Id))
                    .col(string_len(StorefrontTokens::Name, 100))
                    .col(string_len_uniq(StorefrontTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(StorefrontTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(StorefrontTokens::RevokedAt))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [index(
                "idx_storefront_tokens_created_at",
                StorefrontTokens::Table,
                [StorefrontTokens::CreatedAt],
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [StorefrontTokens::Table.into_iden()]).await
    }
}

#[derive(DeriveIden)]
enum StorefrontTokens {
    Table,
    Id,
    Name,
    TokenHash,
    CreatedAt,
    RevokedAt,
}
