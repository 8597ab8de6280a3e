//! Inventory: warehouses and per-warehouse stock levels.

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
                    .table(Warehouses::Table)
                    .col(pk_uuid(Warehouses::Id))
                    .col(string_len(Warehouses::Code, 32))
                    .col(string_len(Warehouses::Name, 255))
                    .col(integer(Warehouses::Priority))
                    .col(timestamp_with_time_zone(Warehouses::CreatedAt))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [unique_index(
                "uq_warehouses_code",
                Warehouses::Table,
                [Warehouses::Code],
            )],
        )
        .await?;

        // The CHECK is the last line of defence: no service bug can make a counter negative
        // or allocate more than is on hand.
        let stock_invariant = Expr::col(StockLevels::Allocated)
            .gte(0)
            .and(Expr::col(StockLevels::OnHand).gte(Expr::col(StockLevels::Allocated)));
        manager
            .create_table(
                Table::create()
                    .table(StockLevels::Table)
                    .col(uuid(StockLevels::VariantId))
                    .col(uuid(StockLevels::WarehouseId))
                    .col(integer(StockLevels::OnHand))
                    .col(integer(StockLevels::Allocated).default(0))
                    .col(timestamp_with_time_zone(StockLevels::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(StockLevels::VariantId)
                            .col(StockLevels::WarehouseId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_stock_levels_variant")
                            .from(StockLevels::Table, StockLevels::VariantId)
                            .to(ProductVariants::Table, ProductVariants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_stock_levels_warehouse")
                            .from(StockLevels::Table, StockLevels::WarehouseId)
                            .to(Warehouses::Table, Warehouses::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .check(("chk_stock_levels_allocated", stock_invariant))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [index(
                "idx_stock_levels_warehouse_id",
                StockLevels::Table,
                [StockLevels::WarehouseId],
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                StockLevels::Table.into_iden(),
                Warehouses::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Warehouses {
    Table,
    Id,
    Code,
    Name,
    Priority,
    CreatedAt,
}

#[derive(DeriveIden)]
enum StockLevels {
    Table,
    VariantId,
    WarehouseId,
    OnHand,
    Allocated,
    UpdatedAt,
}

/// Created by the catalog migration; named here so this file does not depend on that one.
#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
}
