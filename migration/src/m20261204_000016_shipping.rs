//! Shipping zones and methods (SPEC §8).
//!
//! - `shipping_zones`: a name and the countries (ISO 3166 alpha-2, JSON list) it serves.
//! - `shipping_methods`: a way to ship within a zone; its prices per currency are a JSON list
//!   (`[{currency_code, amount, free_above}]`, minor units) read with the row, so a cart's
//!   options cost one statement however many methods and currencies there are.
//! - `carts.shipping_method_id`: the buyer's choice; `orders.shipping_method_id` and
//!   `orders.shipping_method_name`: what the order was shipped with, kept when staff later
//!   rename or delete the method. Neither has a foreign key: a method that is gone simply no
//!   longer applies.
//!
//! No zones at all means the built-in flat rate (`SHIPPING_RATES`, `FREE_SHIPPING_OVER`).

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
                    .table(ShippingZones::Table)
                    .col(pk_uuid(ShippingZones::Id))
                    .col(string_len(ShippingZones::Name, 100))
                    .col(json_binary(ShippingZones::Countries))
                    .col(timestamp_with_time_zone(ShippingZones::CreatedAt))
                    .col(timestamp_with_time_zone(ShippingZones::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShippingMethods::Table)
                    .col(pk_uuid(ShippingMethods::Id))
                    .col(uuid(ShippingMethods::ZoneId))
                    .col(string_len(ShippingMethods::Name, 100))
                    .col(text_null(ShippingMethods::Description))
                    .col(json_binary(ShippingMethods::Prices))
                    .col(integer_null(ShippingMethods::MinDeliveryDays))
                    .col(integer_null(ShippingMethods::MaxDeliveryDays))
                    .col(boolean(ShippingMethods::Active))
                    .col(timestamp_with_time_zone(ShippingMethods::CreatedAt))
                    .col(timestamp_with_time_zone(ShippingMethods::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_shipping_methods_zone")
                            .from(ShippingMethods::Table, ShippingMethods::ZoneId)
                            .to(ShippingZones::Table, ShippingZones::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [index(
                "idx_shipping_methods_zone_id",
                ShippingMethods::Table,
                [ShippingMethods::ZoneId],
            )],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Carts::Table)
                    .add_column(uuid_null(Carts::ShippingMethodId))
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .add_column(uuid_null(Orders::ShippingMethodId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .add_column(string_len_null(Orders::ShippingMethodName, 100))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Orders::ShippingMethodName, Orders::ShippingMethodId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Orders::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Carts::Table)
                    .drop_column(Carts::ShippingMethodId)
                    .to_owned(),
            )
            .await?;
        drop_tables(
            manager,
            [
                ShippingMethods::Table.into_iden(),
                ShippingZones::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum ShippingZones {
    Table,
    Id,
    Name,
    Countries,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ShippingMethods {
    Table,
    Id,
    ZoneId,
    Name,
    Description,
    Prices,
    MinDeliveryDays,
    MaxDeliveryDays,
    Active,
    CreatedAt,
    UpdatedAt,
}

/// Created by earlier migrations; named here so this file does not depend on them.
#[derive(DeriveIden)]
enum Carts {
    Table,
    ShippingMethodId,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    ShippingMethodId,
    ShippingMethodName,
}
