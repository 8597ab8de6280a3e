//! Reminders (issue 17): back-in-stock subscriptions and abandoned carts.
//!
//! - `back_in_stock_subscriptions`: someone (a guest's email, or a customer) waits for a
//!   variant that is out of stock. `notified_at` is set once, when the relay sees the variant
//!   available again and raises BACK_IN_STOCK; the subscription is then done. One waiting
//!   subscription per (variant, email): a partial unique index (PostgreSQL and SQLite both
//!   have them).
//! - `carts.abandoned_at`: when the cart was reported abandoned (CART_ABANDONED); set once,
//!   so a cart is reminded at most once, whatever happens to it afterwards.

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
                    .table(BackInStockSubscriptions::Table)
                    .col(pk_uuid(BackInStockSubscriptions::Id))
                    .col(uuid(BackInStockSubscriptions::VariantId))
                    .col(string_len(BackInStockSubscriptions::Email, 320))
                    .col(uuid_null(BackInStockSubscriptions::CustomerId))
                    .col(timestamp_with_time_zone(
                        BackInStockSubscriptions::CreatedAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        BackInStockSubscriptions::NotifiedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_back_in_stock_subscriptions_variant")
                            .from(
                                BackInStockSubscriptions::Table,
                                BackInStockSubscriptions::VariantId,
                            )
                            .to(ProductVariants::Table, ProductVariants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_back_in_stock_subscriptions_customer")
                            .from(
                                BackInStockSubscriptions::Table,
                                BackInStockSubscriptions::CustomerId,
                            )
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [index(
                "idx_back_in_stock_subscriptions_customer_id",
                BackInStockSubscriptions::Table,
                [BackInStockSubscriptions::CustomerId],
            )],
        )
        .await?;
        // The relay looks up waiting subscriptions by variant; only waiting ones are unique.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_back_in_stock_subscriptions_waiting \
                 ON back_in_stock_subscriptions (variant_id, email) WHERE notified_at IS NULL",
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Carts::Table)
                    .add_column(timestamp_with_time_zone_null(Carts::AbandonedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Carts::Table)
                    .drop_column(Carts::AbandonedAt)
                    .to_owned(),
            )
            .await?;
        drop_tables(manager, [BackInStockSubscriptions::Table.into_iden()]).await
    }
}

#[derive(DeriveIden)]
enum BackInStockSubscriptions {
    Table,
    Id,
    VariantId,
    Email,
    CustomerId,
    CreatedAt,
    NotifiedAt,
}

/// Created by earlier migrations; named here so this file does not depend on them.
#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Carts {
    Table,
    AbandonedAt,
}
