//! Row locks inside a unit of work (`crate::unit_of_work` begins every write transaction).

use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait, QuerySelect, Select};

/// `SELECT … FOR UPDATE` on PostgreSQL: the rows stay locked until the transaction ends.
/// SQLite has no row locks (and no such syntax); its write transaction is exclusive anyway.
pub fn for_update<E: EntityTrait>(query: Select<E>, db: &impl ConnectionTrait) -> Select<E> {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => query.lock_exclusive(),
        _ => query,
    }
}
