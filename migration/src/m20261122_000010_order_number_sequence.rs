//! Orders: on PostgreSQL, order numbers come from a native sequence.
//!
//! The `sequences` row (`UPDATE … SET value = value + 1`) stays locked until the checkout
//! commits, so concurrent checkouts queued on it: under 64 buyers it was where most of them
//! waited (`pg_stat_activity`), capping orders per second. `nextval` takes no row lock. The
//! price is that a checkout rolled back after taking its number leaves a gap (numbers stay
//! unique and increasing). SQLite serialises writers anyway and keeps the `sequences` row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("CREATE SEQUENCE IF NOT EXISTS order_numbers AS bigint")
            .await?;
        // Continue from the last number handed out by the `sequences` row.
        db.execute_unprepared(
            "SELECT setval('order_numbers', (SELECT value FROM sequences WHERE name = 'order_number'))",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE sequences SET value = (SELECT last_value FROM order_numbers) WHERE name = 'order_number'",
        )
        .await?;
        db.execute_unprepared("DROP SEQUENCE IF EXISTS order_numbers")
            .await?;
        Ok(())
    }
}
