//! Orders: which discounts each order used, and the answers given to payment webhooks.
//!
//! `order_discounts`: checkout records every discount whose allowance it consumed, so each
//! way an order can be cancelled (a decline at checkout or by webhook, staff cancelling,
//! refunding before shipping) gives exactly those uses back, once (`returned_at`). Earlier
//! versions kept only the first code on the order (`orders.discount_code`); open orders
//! that used one are backfilled from it.
//!
//! `payment_webhook_events` keeps the status and message each event was answered with, so a
//! provider retrying a refused event gets the same refusal and nothing happens.

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
                    .table(OrderDiscounts::Table)
                    .col(uuid(OrderDiscounts::OrderId))
                    .col(string_len(OrderDiscounts::Code, 64))
                    .col(uuid_null(OrderDiscounts::DiscountId))
                    .col(string_len(OrderDiscounts::Kind, 16))
                    .col(big_integer(OrderDiscounts::Amount))
                    .col(timestamp_with_time_zone_null(OrderDiscounts::ReturnedAt))
                    .primary_key(
                        Index::create()
                            .col(OrderDiscounts::OrderId)
                            .col(OrderDiscounts::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_discounts_order")
                            .from(OrderDiscounts::Table, OrderDiscounts::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_discounts_discount")
                            .from(OrderDiscounts::Table, OrderDiscounts::DiscountId)
                            .to(Discounts::Table, Discounts::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // Deleting a discount nulls its order rows through this foreign key.
        create_indexes(
            manager,
            [index(
                "idx_order_discounts_discount_id",
                OrderDiscounts::Table,
                [OrderDiscounts::DiscountId],
            )],
        )
        .await?;
        // Open orders placed before this table existed: the one code they recorded.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO order_discounts (order_id, code, discount_id, kind, amount, returned_at) \
                 SELECT o.id, d.code, d.id, d.kind, \
                        CASE WHEN d.kind = 'FREE_SHIPPING' THEN 0 ELSE o.discount_total END, NULL \
                 FROM orders o JOIN discounts d ON d.code = o.discount_code \
                 WHERE o.status IN ('PLACED', 'PAID')",
            )
            .await?;
        // One ALTER per column: SQLite adds one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(PaymentWebhookEvents::Table)
                    .add_column(integer(PaymentWebhookEvents::AnswerStatus).default(200))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PaymentWebhookEvents::Table)
                    .add_column(string_len_null(PaymentWebhookEvents::AnswerMessage, 255))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            PaymentWebhookEvents::AnswerMessage,
            PaymentWebhookEvents::AnswerStatus,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(PaymentWebhookEvents::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        drop_tables(manager, [OrderDiscounts::Table.into_iden()]).await
    }
}

#[derive(DeriveIden)]
enum OrderDiscounts {
    Table,
    OrderId,
    Code,
    DiscountId,
    Kind,
    Amount,
    ReturnedAt,
}

#[derive(DeriveIden)]
enum PaymentWebhookEvents {
    Table,
    AnswerStatus,
    AnswerMessage,
}

/// Created by earlier migrations; named here so this file does not depend on them.
#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Discounts {
    Table,
    Id,
}
