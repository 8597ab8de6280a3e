//! Customers and staff: staff roles, customer accounts, refresh tokens.

use crate::{create_indexes, drop_tables, index, unique_index};
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
                    .table(StaffRoles::Table)
                    .col(pk_uuid(StaffRoles::Id))
                    .col(string_len(StaffRoles::Name, 64))
                    .col(text(StaffRoles::Permissions))
                    .col(timestamp_with_time_zone(StaffRoles::CreatedAt))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [unique_index(
                "uq_staff_roles_name",
                StaffRoles::Table,
                [StaffRoles::Name],
            )],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Customers::Table)
                    .col(pk_uuid(Customers::Id))
                    .col(string_len(Customers::Email, 320))
                    .col(text(Customers::PasswordHash))
                    .col(string_len_null(Customers::FirstName, 128))
                    .col(string_len_null(Customers::LastName, 128))
                    .col(uuid_null(Customers::StaffRoleId))
                    .col(timestamp_with_time_zone(Customers::CreatedAt))
                    .col(timestamp_with_time_zone(Customers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_customers_staff_role")
                            .from(Customers::Table, Customers::StaffRoleId)
                            .to(StaffRoles::Table, StaffRoles::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [unique_index(
                "uq_customers_email",
                Customers::Table,
                [Customers::Email],
            )],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(pk_uuid(RefreshTokens::Id))
                    .col(uuid(RefreshTokens::CustomerId))
                    .col(uuid(RefreshTokens::FamilyId))
                    .col(string_len(RefreshTokens::TokenHash, 128))
                    .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::RotatedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refresh_tokens_customer")
                            .from(RefreshTokens::Table, RefreshTokens::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
                unique_index(
                    "uq_refresh_tokens_token_hash",
                    RefreshTokens::Table,
                    [RefreshTokens::TokenHash],
                ),
                index(
                    "idx_refresh_tokens_family_id",
                    RefreshTokens::Table,
                    [RefreshTokens::FamilyId],
                ),
                index(
                    "idx_refresh_tokens_customer_id",
                    RefreshTokens::Table,
                    [RefreshTokens::CustomerId],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                RefreshTokens::Table.into_iden(),
                Customers::Table.into_iden(),
                StaffRoles::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum StaffRoles {
    Table,
    Id,
    Name,
    Permissions,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    Email,
    PasswordHash,
    FirstName,
    LastName,
    StaffRoleId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    CustomerId,
    FamilyId,
    TokenHash,
    ExpiresAt,
    RotatedAt,
    RevokedAt,
    CreatedAt,
}
