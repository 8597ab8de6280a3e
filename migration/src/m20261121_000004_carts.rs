//! Carts and their lines.

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
        // `converted_order_id` has no foreign key: orders reference carts, not the reverse.
        manager
            .create_table(
                Table::create()
                    .table(Carts::Table)
                    .col(pk_uuid(Carts::Id))
                    .col(uuid_null(Carts::CustomerId))
                    .col(string_len(Carts::CurrencyCode, 3))
                    .col(string_len_null(Carts::Email, 320))
                    .col(json_binary_null(Carts::ShippingAddress))
                    .col(json_binary(Carts::DiscountCodes))
                    .col(string_len(Carts::Status, 16))
                    .col(uuid_null(Carts::ConvertedOrderId))
                    .col(timestamp_with_time_zone(Carts::CreatedAt))
                    .col(timestamp_with_time_zone(Carts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_carts_customer")
                            .from(Carts::Table, Carts::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [index(
                "idx_carts_customer_id_status",
                Carts::Table,
                [Carts::CustomerId, Carts::Status],
            )],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(CartLines::Table)
                    .col(pk_uuid(CartLines::Id))
                    .col(uuid(CartLines::CartId))
                    .col(uuid(CartLines::VariantId))
                    .col(integer(CartLines::Quantity))
                    .col(timestamp_with_time_zone(CartLines::CreatedAt))
                    .col(timestamp_with_time_zone(CartLines::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cart_lines_cart")
                            .from(CartLines::Table, CartLines::CartId)
                            .to(Carts::Table, Carts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cart_lines_variant")
                            .from(CartLines::Table, CartLines::VariantId)
                            .to(ProductVariants::Table, ProductVariants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One line per variant: adding the same variant again updates the quantity.
        create_indexes(
            manager,
            [
                unique_index(
                    "uq_cart_lines_cart_id_variant_id",
                    CartLines::Table,
                    [CartLines::CartId, CartLines::VariantId],
                ),
                // Deleting a variant removes its cart lines through this foreign key.
                index(
                    "idx_cart_lines_variant_id",
                    CartLines::Table,
                    [CartLines::VariantId],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [CartLines::Table.into_iden(), Carts::Table.into_iden()],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Carts {
    Table,
    Id,
    CustomerId,
    CurrencyCode,
    Email,
    ShippingAddress,
    DiscountCodes,
    Status,
    ConvertedOrderId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CartLines {
    Table,
    Id,
    CartId,
    VariantId,
    Quantity,
    CreatedAt,
    UpdatedAt,
}

/// Created by earlier migrations; named here so this file does not depend on them.
#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
}
