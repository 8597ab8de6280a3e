//! Payments that move money: authorizations, captures, voids and refunds.
//!
//! - `orders.payment_status`: the order's payment dimension (SPEC §8, `Order.paymentStatus`),
//!   changed only by the order process table; backfilled from each order's status.
//! - `payments`: what was captured and refunded (`captured_amount`, `refunded_amount`), the
//!   money of refunds still at the provider (`refund_reserved`, counted against what may be
//!   refunded so concurrent refunds never exceed the capture), the capture or void in flight
//!   (`operation`, so two cannot run at once) and the customer's next action (3-D Secure).
//!   Statuses grow (`PARTIALLY_REFUNDED` is 18 characters: the column widens on PostgreSQL;
//!   SQLite does not enforce lengths).
//! - `refunds` and `refund_lines`: every refund asked for, with its outcome; `(order_id,
//!   idempotency_key)` is unique so a repeated request finds the first refund.
//! - `order_lines.refunded_quantity` and `orders.shipping_refunded`: what refunds have
//!   claimed, guarded so no unit and no shipping charge is refunded twice.

use crate::{create_indexes, drop_tables, index, unique_index};
use sea_orm_migration::sea_orm::DatabaseBackend;
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
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .alter_table(
                    Table::alter()
                        .table(Payments::Table)
                        .modify_column(string_len(Payments::Status, 32))
                        .to_owned(),
                )
                .await?;
        } else {
            widen_status_on_sqlite(manager).await?;
        }
        // One ALTER per column: SQLite adds one column at a time.
        let additions: Vec<(DynIden, ColumnDef)> = vec![
            (
                Orders::Table.into_iden(),
                string_len(Orders::PaymentStatus, 32)
                    .default("PENDING")
                    .to_owned(),
            ),
            (
                Orders::Table.into_iden(),
                boolean(Orders::ShippingRefunded).default(false).to_owned(),
            ),
            (
                OrderLines::Table.into_iden(),
                integer(OrderLines::RefundedQuantity).default(0).to_owned(),
            ),
            (
                Payments::Table.into_iden(),
                big_integer(Payments::CapturedAmount).default(0).to_owned(),
            ),
            (
                Payments::Table.into_iden(),
                big_integer(Payments::RefundedAmount).default(0).to_owned(),
            ),
            (
                Payments::Table.into_iden(),
                big_integer(Payments::RefundReserved).default(0).to_owned(),
            ),
            (
                Payments::Table.into_iden(),
                string_len_null(Payments::Operation, 16).to_owned(),
            ),
            (
                Payments::Table.into_iden(),
                timestamp_with_time_zone_null(Payments::OperationStartedAt).to_owned(),
            ),
            (
                Payments::Table.into_iden(),
                json_binary_null(Payments::NextAction).to_owned(),
            ),
        ];
        for (table, mut column) in additions {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        // Payments before this version were captured in one step.
        db.execute_unprepared(
            "UPDATE payments SET captured_amount = amount WHERE status IN ('PAID', 'REFUNDED')",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE payments SET refunded_amount = amount WHERE status = 'REFUNDED'",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE orders SET payment_status = CASE \
               WHEN status IN ('PAID', 'FULFILLED') THEN 'PAID' \
               WHEN status = 'REFUNDED' THEN 'REFUNDED' \
               WHEN EXISTS (SELECT 1 FROM payments p WHERE p.order_id = orders.id AND p.status = 'DECLINED') THEN 'FAILED' \
               ELSE 'PENDING' END",
        )
        .await?;
        create_refunds(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [RefundLines::Table.into_iden(), Refunds::Table.into_iden()],
        )
        .await?;
        let removals: Vec<(DynIden, DynIden)> = vec![
            (Orders::Table.into_iden(), Orders::PaymentStatus.into_iden()),
            (
                Orders::Table.into_iden(),
                Orders::ShippingRefunded.into_iden(),
            ),
            (
                OrderLines::Table.into_iden(),
                OrderLines::RefundedQuantity.into_iden(),
            ),
            (
                Payments::Table.into_iden(),
                Payments::CapturedAmount.into_iden(),
            ),
            (
                Payments::Table.into_iden(),
                Payments::RefundedAmount.into_iden(),
            ),
            (
                Payments::Table.into_iden(),
                Payments::RefundReserved.into_iden(),
            ),
            (Payments::Table.into_iden(), Payments::Operation.into_iden()),
            (
                Payments::Table.into_iden(),
                Payments::OperationStartedAt.into_iden(),
            ),
            (
                Payments::Table.into_iden(),
                Payments::NextAction.into_iden(),
            ),
        ];
        for (table, column) in removals {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// SQLite cannot change a column's type: the table is rebuilt as it was, with the wider
/// status, and its rows copied (nothing references `payments` yet).
async fn widen_status_on_sqlite(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(PaymentsWidened::Table)
                .col(pk_uuid(Payments::Id))
                .col(uuid(Payments::OrderId))
                .col(string_len(Payments::Provider, 32))
                .col(string_len(Payments::Status, 32))
                .col(big_integer(Payments::Amount))
                .col(string_len(Payments::CurrencyCode, 3))
                .col(string_len_null(Payments::ProviderReference, 255))
                .col(timestamp_with_time_zone(Payments::CreatedAt))
                .col(timestamp_with_time_zone(Payments::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_payments_order")
                        .from(PaymentsWidened::Table, Payments::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    let db = manager.get_connection();
    db.execute_unprepared(
        "INSERT INTO payments_widened \
           (id, order_id, provider, status, amount, currency_code, provider_reference, created_at, updated_at) \
         SELECT id, order_id, provider, status, amount, currency_code, provider_reference, created_at, updated_at \
         FROM payments",
    )
    .await?;
    db.execute_unprepared("DROP TABLE payments").await?;
    db.execute_unprepared("ALTER TABLE payments_widened RENAME TO payments")
        .await?;
    create_indexes(
        manager,
        [
            index(
                "idx_payments_order_id",
                Payments::Table,
                [Payments::OrderId],
            ),
            unique_index(
                "uq_payments_provider_provider_reference",
                Payments::Table,
                [Payments::Provider, Payments::ProviderReference],
            ),
        ],
    )
    .await
}

async fn create_refunds(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Refunds::Table)
                .col(pk_uuid(Refunds::Id))
                .col(uuid(Refunds::OrderId))
                .col(uuid(Refunds::PaymentId))
                .col(string_len(Refunds::Status, 16))
                .col(big_integer(Refunds::Amount))
                .col(string_len(Refunds::CurrencyCode, 3))
                .col(big_integer(Refunds::ShippingAmount))
                .col(boolean(Refunds::Restock))
                .col(string_len_null(Refunds::Reason, 1000))
                .col(string_len(Refunds::IdempotencyKey, 255))
                .col(string_len_null(Refunds::ProviderReference, 255))
                .col(string_len_null(Refunds::FailureReason, 1000))
                .col(uuid_null(Refunds::CreatedBy))
                .col(timestamp_with_time_zone(Refunds::CreatedAt))
                .col(timestamp_with_time_zone(Refunds::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_refunds_order")
                        .from(Refunds::Table, Refunds::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_refunds_payment")
                        .from(Refunds::Table, Refunds::PaymentId)
                        .to(Payments::Table, Payments::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .check(Expr::col(Refunds::Amount).gt(0))
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(RefundLines::Table)
                .col(uuid(RefundLines::RefundId))
                .col(uuid(RefundLines::OrderLineId))
                .col(integer(RefundLines::Quantity))
                .col(big_integer(RefundLines::Amount))
                .primary_key(
                    Index::create()
                        .col(RefundLines::RefundId)
                        .col(RefundLines::OrderLineId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_refund_lines_refund")
                        .from(RefundLines::Table, RefundLines::RefundId)
                        .to(Refunds::Table, Refunds::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_refund_lines_order_line")
                        .from(RefundLines::Table, RefundLines::OrderLineId)
                        .to(OrderLines::Table, OrderLines::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .check(Expr::col(RefundLines::Quantity).gt(0))
                .to_owned(),
        )
        .await?;
    create_indexes(
        manager,
        [
            unique_index(
                "uq_refunds_order_id_idempotency_key",
                Refunds::Table,
                [
                    Refunds::OrderId.into_iden(),
                    Refunds::IdempotencyKey.into_iden(),
                ],
            ),
            index(
                "idx_refunds_payment_id",
                Refunds::Table,
                [Refunds::PaymentId],
            ),
            index(
                "idx_refund_lines_order_line_id",
                RefundLines::Table,
                [RefundLines::OrderLineId],
            ),
        ],
    )
    .await
}

#[derive(DeriveIden)]
enum Refunds {
    Table,
    Id,
    OrderId,
    PaymentId,
    Status,
    Amount,
    CurrencyCode,
    ShippingAmount,
    Restock,
    Reason,
    IdempotencyKey,
    ProviderReference,
    FailureReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefundLines {
    Table,
    RefundId,
    OrderLineId,
    Quantity,
    Amount,
}

/// Created by earlier migrations; named here so this file does not depend on them.
#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    PaymentStatus,
    ShippingRefunded,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    Id,
    RefundedQuantity,
}

#[derive(DeriveIden)]
enum PaymentsWidened {
    Table,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
    OrderId,
    Provider,
    Amount,
    CurrencyCode,
    ProviderReference,
    CreatedAt,
    UpdatedAt,
    Status,
    CapturedAmount,
    RefundedAmount,
    RefundReserved,
    Operation,
    OperationStartedAt,
    NextAction,
}
