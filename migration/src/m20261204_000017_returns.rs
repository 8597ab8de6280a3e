//! Returns (SPEC §8 "Returns"): units of a delivered order its customer sends back.
//!
//! - `returns`: one request, its status (`REQUESTED` → `APPROVED` | `DECLINED` → `RECEIVED`
//!   → `CLOSED`; the moves are in `schema/src/orders/service/returns/`), staff's decline
//!   reason, and whether receiving it put the units back on hand.
//! - `return_lines`: per order line, how many units and the customer's reason. Units that
//!   arrive are counted on the shipments (`fulfillment_lines.returned_quantity`), so a unit
//!   can come back only once, whether through a return or a restocking refund.
//!
//! Number 000017: 000016 is shipping zones, made on another branch at the same time.

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
                    .table(Returns::Table)
                    .col(pk_uuid(Returns::Id))
                    .col(uuid(Returns::OrderId))
                    .col(string_len(Returns::Status, 16))
                    .col(text_null(Returns::DeclineReason))
                    .col(boolean(Returns::Restocked).default(false))
                    .col(uuid_null(Returns::RequestedBy))
                    .col(timestamp_with_time_zone(Returns::CreatedAt))
                    .col(timestamp_with_time_zone(Returns::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Returns::ReceivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_returns_order")
                            .from(Returns::Table, Returns::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReturnLines::Table)
                    .col(uuid(ReturnLines::ReturnId))
                    .col(uuid(ReturnLines::OrderLineId))
                    .col(integer(ReturnLines::Quantity))
                    .col(text_null(ReturnLines::Reason))
                    .primary_key(
                        Index::create()
                            .col(ReturnLines::ReturnId)
                            .col(ReturnLines::OrderLineId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_return_lines_return")
                            .from(ReturnLines::Table, ReturnLines::ReturnId)
                            .to(Returns::Table, Returns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_return_lines_order_line")
                            .from(ReturnLines::Table, ReturnLines::OrderLineId)
                            .to(OrderLines::Table, OrderLines::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(Expr::col(ReturnLines::Quantity).gt(0))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
                index("idx_returns_order_id", Returns::Table, [Returns::OrderId]),
                // Staff's list: newest first, optionally by status.
                index(
                    "idx_returns_status_id",
                    Returns::Table,
                    [Returns::Status, Returns::Id],
                ),
                index(
                    "idx_return_lines_order_line_id",
                    ReturnLines::Table,
                    [ReturnLines::OrderLineId],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [ReturnLines::Table.into_iden(), Returns::Table.into_iden()],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Returns {
    Table,
    Id,
    OrderId,
    Status,
    DeclineReason,
    Restocked,
    RequestedBy,
    CreatedAt,
    UpdatedAt,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum ReturnLines {
    Table,
    ReturnId,
    OrderLineId,
    Quantity,
    Reason,
}

/// Created by earlier migrations; named here so this file does not depend on them.
#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    Id,
}
