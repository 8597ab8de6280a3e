//! Write transactions.
//!
//! On SQLite a transaction that reads before it writes starts with a read lock and must upgrade
//! it at its first write; two such transactions deadlock and one fails with SQLITE_BUSY at once
//! (the busy timeout cannot help). Write transactions therefore start IMMEDIATE there, taking
//! the write lock up front and queueing behind each other. PostgreSQL ignores the option.

use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QuerySelect, Select, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Begins a transaction that is going to write.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    db.begin_with_options(options).await
}

/// `SELECT … FOR UPDATE` on PostgreSQL: the rows stay locked until the transaction ends.
/// SQLite has no row locks (and no such syntax); its write transaction is exclusive anyway.
pub fn for_update<E: EntityTrait>(query: Select<E>, db: &impl ConnectionTrait) -> Select<E> {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => query.lock_exclusive(),
        _ => query,
    }
}
