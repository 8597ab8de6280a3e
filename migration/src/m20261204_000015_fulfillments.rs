//! Fulfilment (SPEC §8): shipments with tracking, and the order's fulfilment dimension.
//!
//! - `orders.fulfillment_status`: `UNFULFILLED` … `DELIVERED`, moved only by the order process
//!   table; `order_lines.shipped_quantity`: units on shipments that were not cancelled.
//! - `fulfillments` and `fulfillment_lines`: each shipment and, per order line, how many units
//!   left which warehouse (`returned_quantity` of them came back through refunds or returns).
//! - From this version an order's allocation rows are the units allocated and *not yet
//!   shipped*: shipping moves them onto a fulfilment. Orders fulfilled before it get one
//!   shipment (id = the order's) holding their allocation rows, which are then removed.

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
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .add_column(string_len(Orders::FulfillmentStatus, 32).default("UNFULFILLED"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OrderLines::Table)
                    .add_column(integer(OrderLines::ShippedQuantity).default(0))
                    .to_owned(),
            )
            .await?;
        create_tables(manager).await?;
        let db = manager.get_connection();
        for statement in [
            "UPDATE orders SET fulfillment_status = 'FULFILLED' WHERE status = 'FULFILLED' \
               OR EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = orders.id AND e.kind = 'FULFILLED')",
            "INSERT INTO fulfillments (id, order_id, status, created_at, shipped_at, updated_at) \
               SELECT id, id, 'SHIPPED', updated_at, updated_at, updated_at FROM orders \
               WHERE fulfillment_status = 'FULFILLED'",
            "INSERT INTO fulfillment_lines (fulfillment_id, order_line_id, warehouse_id, quantity, returned_quantity) \
               SELECT l.order_id, a.order_line_id, a.warehouse_id, a.quantity, 0 \
               FROM order_allocations a JOIN order_lines l ON l.id = a.order_line_id \
               JOIN orders o ON o.id = l.order_id \
               WHERE o.fulfillment_status = 'FULFILLED' AND a.quantity > 0",
            "UPDATE order_lines SET shipped_quantity = COALESCE((SELECT SUM(f.quantity) \
               FROM fulfillment_lines f WHERE f.order_line_id = order_lines.id), 0)",
            "DELETE FROM order_allocations WHERE order_line_id IN (SELECT l.id FROM order_lines l \
               JOIN orders o ON o.id = l.order_id WHERE o.fulfillment_status = 'FULFILLED')",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                FulfillmentLines::Table.into_iden(),
                Fulfillments::Table.into_iden(),
            ],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OrderLines::Table)
                    .drop_column(OrderLines::ShippedQuantity)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .drop_column(Orders::FulfillmentStatus)
                    .to_owned(),
            )
            .await
    }
}

async fn create_tables(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Fulfillments::Table)
                .col(pk_uuid(Fulfillments::Id))
                .col(uuid(Fulfillments::OrderId))
                .col(string_len(Fulfillments::Status, 16))
                .col(string_len_null(Fulfillments::TrackingCompany, 255))
                .col(string_len_null(Fulfillments::TrackingNumber, 255))
                .col(string_len_null(Fulfillments::TrackingUrl, 2048))
                .col(uuid_null(Fulfillments::CreatedBy))
                .col(timestamp_with_time_zone(Fulfillments::CreatedAt))
                .col(timestamp_with_time_zone(Fulfillments::ShippedAt))
                .col(timestamp_with_time_zone_null(Fulfillments::DeliveredAt))
                .col(timestamp_with_time_zone_null(Fulfillments::CancelledAt))
                .col(timestamp_with_time_zone(Fulfillments::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_fulfillments_order")
                        .from(Fulfillments::Table, Fulfillments::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(FulfillmentLines::Table)
                .col(uuid(FulfillmentLines::FulfillmentId))
                .col(uuid(FulfillmentLines::OrderLineId))
                .col(uuid(FulfillmentLines::WarehouseId))
                .col(integer(FulfillmentLines::Quantity))
                .col(integer(FulfillmentLines::ReturnedQuantity).default(0))
                .primary_key(
                    Index::create()
                        .col(FulfillmentLines::FulfillmentId)
                        .col(FulfillmentLines::OrderLineId)
                        .col(FulfillmentLines::WarehouseId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_fulfillment_lines_fulfillment")
                        .from(FulfillmentLines::Table, FulfillmentLines::FulfillmentId)
                        .to(Fulfillments::Table, Fulfillments::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_fulfillment_lines_order_line")
                        .from(FulfillmentLines::Table, FulfillmentLines::OrderLineId)
                        .to(OrderLines::Table, OrderLines::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_fulfillment_lines_warehouse")
                        .from(FulfillmentLines::Table, FulfillmentLines::WarehouseId)
                        .to(Warehouses::Table, Warehouses::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .check(Expr::col(FulfillmentLines::Quantity).gt(0))
                .check(
                    Expr::col(FulfillmentLines::ReturnedQuantity)
                        .between(0, Expr::col(FulfillmentLines::Quantity)),
                )
                .to_owned(),
        )
        .await?;
    create_indexes(
        manager,
        [
            index(
                "idx_fulfillments_order_id",
                Fulfillments::Table,
                [Fulfillments::OrderId],
            ),
            index(
                "idx_fulfillment_lines_order_line_id",
                FulfillmentLines::Table,
                [FulfillmentLines::OrderLineId],
            ),
            index(
                "idx_fulfillment_lines_warehouse_id",
                FulfillmentLines::Table,
                [FulfillmentLines::WarehouseId],
            ),
        ],
    )
    .await
}

#[derive(DeriveIden)]
enum Fulfillments {
    Table,
    Id,
    OrderId,
    Status,
    TrackingCompany,
    TrackingNumber,
    TrackingUrl,
    CreatedBy,
    CreatedAt,
    ShippedAt,
    DeliveredAt,
    CancelledAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FulfillmentLines {
    Table,
    FulfillmentId,
    OrderLineId,
    WarehouseId,
    Quantity,
    ReturnedQuantity,
}

/// Created by earlier migrations; named here so this file does not depend on them.
#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    FulfillmentStatus,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    Id,
    ShippedQuantity,
}

#[derive(DeriveIden)]
enum Warehouses {
    Table,
    Id,
}
