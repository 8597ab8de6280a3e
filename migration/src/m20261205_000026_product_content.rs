//! Product content and the best-selling rank (issue 19): tags, sanitised HTML description,
//! SEO overrides and `units_sold`.
//!
//! - `tags` is a JSON list like `attributes`: products carry few, they are read with the row
//!   and never joined on, so a side table would only add a statement per listing.
//! - `description_html` holds HTML already sanitised on save, so reads never sanitise.
//! - `units_sold` is raised by the outbox consumer that hears new orders (never on the
//!   checkout path); `(status, units_sold, id)` serves the BEST_SELLING listing, which like
//!   the other sorts filters on status first and breaks ties by id.
//! - `orders.units_counted` says where an order stands in that count: 0 not counted yet, 1
//!   counted, 2 taken back (cancelled) or never to be counted. The consumer moves it with
//!   guarded UPDATEs (0→1 adds, 1→2 subtracts), so an event handed over twice counts once.
//! - Orders placed before this migration are counted here (those not cancelled), so the rank
//!   starts from the shop's history rather than from zero.

use crate::{create_indexes, index};
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
        // One column per statement: SQLite alters one at a time. The defaults backfill the
        // existing rows (`[]` tags, nothing sold).
        let columns = [
            json_binary(Products::Tags)
                .default(Expr::value("[]"))
                .to_owned(),
            text_null(Products::DescriptionHtml),
            string_len_null(Products::SeoTitle, 255),
            string_len_null(Products::SeoDescription, 1000),
            big_integer(Products::UnitsSold).default(0).to_owned(),
        ];
        for column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Products::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .add_column(small_integer(Orders::UnitsCounted).default(0).to_owned())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE products SET units_sold = (SELECT COALESCE(SUM(l.quantity), 0) \
               FROM order_lines l JOIN orders o ON o.id = l.order_id \
               WHERE l.product_id = products.id AND o.status <> 'CANCELLED')",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE orders SET units_counted = CASE WHEN status = 'CANCELLED' THEN 2 ELSE 1 END",
        )
        .await?;
        create_indexes(
            manager,
            [index(
                "idx_products_status_units_sold",
                Products::Table,
                [Products::Status, Products::UnitsSold, Products::Id],
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_products_status_units_sold")
                    .table(Products::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .drop_column(Orders::UnitsCounted)
                    .to_owned(),
            )
            .await?;
        for column in [
            Products::UnitsSold,
            Products::SeoDescription,
            Products::SeoTitle,
            Products::DescriptionHtml,
            Products::Tags,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Products::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    Status,
    Tags,
    DescriptionHtml,
    SeoTitle,
    SeoDescription,
    UnitsSold,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    UnitsCounted,
}
