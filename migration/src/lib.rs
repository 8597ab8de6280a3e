//! Schema migrations, one per bounded context, in dependency order. The same statements run
//! on SQLite and PostgreSQL, so foreign keys and CHECKs are declared inside `CREATE TABLE`
//! (SQLite cannot add them later with `ALTER TABLE`) and indexes are separate statements.
//!
//! Constraint names: `uq_<table>_<columns>` (unique indexes), `idx_<table>_<columns>`,
//! `fk_<table>_<referenced>`, `chk_<table>_<rule>`. docs/data-model.md is the contract.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_catalog;
mod m20261121_000002_inventory;
mod m20261121_000003_customers;
mod m20261121_000004_carts;
mod m20261121_000005_discounts;
mod m20261121_000006_orders;
mod m20261121_000007_infrastructure;
mod m20261122_000008_search;
mod m20261122_000009_listing_counts;
mod m20261122_000010_order_number_sequence;
mod m20261123_000011_order_discounts;
mod m20261204_000012_payments;
mod m20261204_000013_order_access_keys;
mod m20261204_000014_billing_addresses;
mod m20261204_000015_fulfillments;
mod m20261204_000016_shipping;
mod m20261204_000017_returns;
mod m20261204_000018_webhooks;
mod m20261204_000019_mail;
mod m20261204_000020_reminders;
mod m20261205_000021_customer_accounts;
mod m20261205_000022_staff;
mod m20261205_000023_audit_events;
mod m20261205_000024_collections;
mod m20261205_000025_content;
mod m20261205_000026_product_content;
mod m20261205_000027_storefront_tokens;
mod m20261206_000028_outbox_pending_index;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_catalog::Migration),
            Box::new(m20261121_000002_inventory::Migration),
            Box::new(m20261121_000003_customers::Migration),
            Box::new(m20261121_000004_carts::Migration),
            Box::new(m20261121_000005_discounts::Migration),
            Box::new(m20261121_000006_orders::Migration),
            Box::new(m20261121_000007_infrastructure::Migration),
            Box::new(m20261122_000008_search::Migration),
            Box::new(m20261122_000009_listing_counts::Migration),
            Box::new(m20261122_000010_order_number_sequence::Migration),
            Box::new(m20261123_000011_order_discounts::Migration),
            Box::new(m20261204_000012_payments::Migration),
            Box::new(m20261204_000013_order_access_keys::Migration),
            Box::new(m20261204_000014_billing_addresses::Migration),
            Box::new(m20261204_000015_fulfillments::Migration),
            Box::new(m20261204_000016_shipping::Migration),
            Box::new(m20261204_000017_returns::Migration),
            Box::new(m20261204_000018_webhooks::Migration),
            Box::new(m20261204_000019_mail::Migration),
            Box::new(m20261204_000020_reminders::Migration),
            Box::new(m20261205_000021_customer_accounts::Migration),
            Box::new(m20261205_000022_staff::Migration),
            Box::new(m20261205_000023_audit_events::Migration),
            Box::new(m20261205_000024_collections::Migration),
            Box::new(m20261205_000025_content::Migration),
            Box::new(m20261205_000026_product_content::Migration),
            Box::new(m20261205_000027_storefront_tokens::Migration),
            Box::new(m20261206_000028_outbox_pending_index::Migration),
        ]
    }
}

/// A non-unique index `name` on `table (cols…)`.
fn index<T, C>(name: &str, table: T, cols: impl IntoIterator<Item = C>) -> IndexCreateStatement
where
    T: IntoIden,
    C: IntoIndexColumn,
{
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    index
}

/// A unique index `name` on `table (cols…)`.
fn unique_index<T, C>(
    name: &str,
    table: T,
    cols: impl IntoIterator<Item = C>,
) -> IndexCreateStatement
where
    T: IntoIden,
    C: IntoIndexColumn,
{
    let mut index = index(name, table, cols);
    index.unique();
    index
}

/// Runs the index statements in order.
async fn create_indexes(
    manager: &SchemaManager<'_>,
    indexes: impl IntoIterator<Item = IndexCreateStatement>,
) -> Result<(), DbErr> {
    for index in indexes {
        manager.create_index(index).await?;
    }
    Ok(())
}

/// Drops the tables one by one (SQLite has no multi-table `DROP`), in the order given:
/// children first.
async fn drop_tables(
    manager: &SchemaManager<'_>,
    tables: impl IntoIterator<Item = DynIden>,
) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(table).to_owned())
            .await?;
    }
    Ok(())
}
