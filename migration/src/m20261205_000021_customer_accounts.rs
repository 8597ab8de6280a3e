//! Customer accounts (issue 18, the customer side): profile fields, an address book and
//! password-reset tokens.
//!
//! - `customers.phone`, `customers.accepts_marketing`: what `customerUpdate` edits besides the
//!   names. The flag defaults to false so existing accounts are not opted in by the migration.
//! - `customer_addresses`: the address book, one mailing address (the JSON shape carts and
//!   orders use) per row; at most one row per customer has `is_default` (kept by the service,
//!   which changes the flag only inside the customer's unit of work).
//! - `password_reset_tokens`: only the SHA-256 of the emailed token is stored, like refresh
//!   tokens, so a database leak does not hand out working links.

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
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Customers::Table)
                    .add_column(string_len_null(Customers::Phone, 32))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Customers::Table)
                    .add_column(boolean(Customers::AcceptsMarketing).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CustomerAddresses::Table)
                    .col(pk_uuid(CustomerAddresses::Id))
                    .col(uuid(CustomerAddresses::CustomerId))
                    .col(json_binary(CustomerAddresses::Address))
                    .col(boolean(CustomerAddresses::IsDefault).default(false))
                    .col(timestamp_with_time_zone(CustomerAddresses::CreatedAt))
                    .col(timestamp_with_time_zone(CustomerAddresses::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_customer_addresses_customer")
                            .from(CustomerAddresses::Table, CustomerAddresses::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PasswordResetTokens::Table)
                    .col(string_len(PasswordResetTokens::TokenHash, 64).primary_key())
                    .col(uuid(PasswordResetTokens::CustomerId))
                    .col(timestamp_with_time_zone(PasswordResetTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordResetTokens::UsedAt))
                    .col(timestamp_with_time_zone(PasswordResetTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_password_reset_tokens_customer")
                            .from(PasswordResetTokens::Table, PasswordResetTokens::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
                index(
                    "idx_customer_addresses_customer_id_id",
                    CustomerAddresses::Table,
                    [CustomerAddresses::CustomerId, CustomerAddresses::Id],
                ),
                index(
                    "idx_password_reset_tokens_customer_id",
                    PasswordResetTokens::Table,
                    [PasswordResetTokens::CustomerId],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                PasswordResetTokens::Table.into_iden(),
                CustomerAddresses::Table.into_iden(),
            ],
        )
        .await?;
        for column in [Customers::AcceptsMarketing, Customers::Phone] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Customers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum CustomerAddresses {
    Table,
    Id,
    CustomerId,
    Address,
    IsDefault,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PasswordResetTokens {
    Table,
    TokenHash,
    CustomerId,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

/// Created by an earlier migration; named here so this file does not depend on it.
#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    Phone,
    AcceptsMarketing,
}
