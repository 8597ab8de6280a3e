//! Billing addresses (SPEC §8: "a billing address beside the shipping address") on carts and
//! orders. Nullable JSON like the shipping address; an order placed without one bills the
//! shipping address (checkout copies it), so orders from before this version get theirs.

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
        for table in [Carts::Table.into_iden(), Orders::Table.into_iden()] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(json_binary_null(Carts::BillingAddress))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared("UPDATE orders SET billing_address = shipping_address")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Carts::Table.into_iden(), Orders::Table.into_iden()] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Carts::BillingAddress)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// Created by earlier migrations; named here so this file does not depend on them.
#[derive(DeriveIden)]
enum Carts {
    Table,
    BillingAddress,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
}
