//! Orders and payments: orders, lines, allocations, history, payments, webhook receipts.

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
        create_orders(manager).await?;
        create_order_lines(manager).await?;
        create_order_allocations(manager).await?;
        create_order_events(manager).await?;
        create_payments(manager).await?;
        manager
            .create_table(
                Table::create()
                    .table(PaymentWebhookEvents::Table)
                    .col(string_len(PaymentWebhookEvents::Provider, 32))
                    .col(string_len(PaymentWebhookEvents::EventId, 255))
                    .col(timestamp_with_time_zone(PaymentWebhookEvents::ReceivedAt))
                    .primary_key(
                        Index::create()
                            .col(PaymentWebhookEvents::Provider)
                            .col(PaymentWebhookEvents::EventId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                PaymentWebhookEvents::Table.into_iden(),
                Payments::Table.into_iden(),
                OrderEvents::Table.into_iden(),
                OrderAllocations::Table.into_iden(),
                OrderLines::Table.into_iden(),
                Orders::Table.into_iden(),
            ],
        )
        .await
    }
}

async fn create_orders(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    // Customer and cart references are SET NULL: an order is history and outlives both.
    manager
        .create_table(
            Table::create()
                .table(Orders::Table)
                .col(pk_uuid(Orders::Id))
                .col(big_integer(Orders::Number))
                .col(uuid_null(Orders::CustomerId))
                .col(uuid_null(Orders::CartId))
                .col(string_len_null(Orders::IdempotencyKey, 255))
                .col(string_len(Orders::Email, 320))
                .col(string_len(Orders::Status, 16))
                .col(string_len(Orders::CurrencyCode, 3))
                .col(big_integer(Orders::Subtotal))
                .col(big_integer(Orders::DiscountTotal))
                .col(big_integer(Orders::ShippingTotal))
                .col(big_integer(Orders::TaxTotal))
                .col(big_integer(Orders::Total))
                .col(string_len_null(Orders::DiscountCode, 64))
                .col(json_binary_null(Orders::ShippingAddress))
                .col(timestamp_with_time_zone(Orders::CreatedAt))
                .col(timestamp_with_time_zone(Orders::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_orders_customer")
                        .from(Orders::Table, Orders::CustomerId)
                        .to(Customers::Table, Customers::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_orders_cart")
                        .from(Orders::Table, Orders::CartId)
                        .to(Carts::Table, Carts::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
    // (cart_id, idempotency_key) is unique so that a retried checkout finds the first order.
    create_indexes(
        manager,
        [
            unique_index("uq_orders_number", Orders::Table, [Orders::Number]),
            unique_index(
                "uq_orders_cart_id_idempotency_key",
                Orders::Table,
                [Orders::CartId, Orders::IdempotencyKey],
            ),
            index(
                "idx_orders_customer_id_created_at",
                Orders::Table,
                [Orders::CustomerId, Orders::CreatedAt],
            ),
            index(
                "idx_orders_status_created_at",
                Orders::Table,
                [Orders::Status, Orders::CreatedAt],
            ),
        ],
    )
    .await
}

async fn create_order_lines(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    // A snapshot of what was bought; `product_id` is a plain hint without a foreign key.
    manager
        .create_table(
            Table::create()
                .table(OrderLines::Table)
                .col(pk_uuid(OrderLines::Id))
                .col(uuid(OrderLines::OrderId))
                .col(uuid_null(OrderLines::VariantId))
                .col(uuid_null(OrderLines::ProductId))
                .col(string_len(OrderLines::Sku, 64))
                .col(string_len(OrderLines::ProductName, 255))
                .col(string_len(OrderLines::VariantName, 255))
                .col(integer(OrderLines::Quantity))
                .col(big_integer(OrderLines::UnitPrice))
                .col(big_integer(OrderLines::Total))
                .col(integer(OrderLines::Position).default(0))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_lines_order")
                        .from(OrderLines::Table, OrderLines::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_lines_variant")
                        .from(OrderLines::Table, OrderLines::VariantId)
                        .to(ProductVariants::Table, ProductVariants::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
    create_indexes(
        manager,
        [
            index(
                "idx_order_lines_order_id",
                OrderLines::Table,
                [OrderLines::OrderId],
            ),
            // Deleting a variant nulls its order lines through this foreign key.
            index(
                "idx_order_lines_variant_id",
                OrderLines::Table,
                [OrderLines::VariantId],
            ),
        ],
    )
    .await
}

async fn create_order_allocations(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(OrderAllocations::Table)
                .col(uuid(OrderAllocations::OrderLineId))
                .col(uuid(OrderAllocations::WarehouseId))
                .col(integer(OrderAllocations::Quantity))
                .primary_key(
                    Index::create()
                        .col(OrderAllocations::OrderLineId)
                        .col(OrderAllocations::WarehouseId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_allocations_order_line")
                        .from(OrderAllocations::Table, OrderAllocations::OrderLineId)
                        .to(OrderLines::Table, OrderLines::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_allocations_warehouse")
                        .from(OrderAllocations::Table, OrderAllocations::WarehouseId)
                        .to(Warehouses::Table, Warehouses::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    // Deleting a warehouse checks for allocations through its foreign key.
    create_indexes(
        manager,
        [index(
            "idx_order_allocations_warehouse_id",
            OrderAllocations::Table,
            [OrderAllocations::WarehouseId],
        )],
    )
    .await
}

async fn create_order_events(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(OrderEvents::Table)
                .col(pk_uuid(OrderEvents::Id))
                .col(uuid(OrderEvents::OrderId))
                .col(string_len(OrderEvents::Kind, 32))
                .col(string_len_null(OrderEvents::FromStatus, 16))
                .col(string_len_null(OrderEvents::ToStatus, 16))
                .col(text_null(OrderEvents::Message))
                .col(uuid_null(OrderEvents::ActorId))
                .col(timestamp_with_time_zone(OrderEvents::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_events_order")
                        .from(OrderEvents::Table, OrderEvents::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    create_indexes(
        manager,
        [index(
            "idx_order_events_order_id_created_at",
            OrderEvents::Table,
            [OrderEvents::OrderId, OrderEvents::CreatedAt],
        )],
    )
    .await
}

async fn create_payments(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Payments::Table)
                .col(pk_uuid(Payments::Id))
                .col(uuid(Payments::OrderId))
                .col(string_len(Payments::Provider, 32))
                .col(string_len(Payments::Status, 16))
                .col(big_integer(Payments::Amount))
                .col(string_len(Payments::CurrencyCode, 3))
                .col(string_len_null(Payments::ProviderReference, 255))
                .col(timestamp_with_time_zone(Payments::CreatedAt))
                .col(timestamp_with_time_zone(Payments::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_payments_order")
                        .from(Payments::Table, Payments::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
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

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    Number,
    CustomerId,
    CartId,
    IdempotencyKey,
    Email,
    Status,
    CurrencyCode,
    Subtotal,
    DiscountTotal,
    ShippingTotal,
    TaxTotal,
    Total,
    DiscountCode,
    ShippingAddress,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    Id,
    OrderId,
    VariantId,
    ProductId,
    Sku,
    ProductName,
    VariantName,
    Quantity,
    UnitPrice,
    Total,
    Position,
}

#[derive(DeriveIden)]
enum OrderAllocations {
    Table,
    OrderLineId,
    WarehouseId,
    Quantity,
}

#[derive(DeriveIden)]
enum OrderEvents {
    Table,
    Id,
    OrderId,
    Kind,
    FromStatus,
    ToStatus,
    Message,
    ActorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
    OrderId,
    Provider,
    Status,
    Amount,
    CurrencyCode,
    ProviderReference,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PaymentWebhookEvents {
    Table,
    Provider,
    EventId,
    ReceivedAt,
}

/// Created by earlier migrations; named here so this file does not depend on them.
#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Carts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Warehouses {
    Table,
    Id,
}
