//! `shopgraph seed` on PostgreSQL: the catalog it wrote gets planner statistics, and the
//! tables it left empty stay unanalysed, so the generic plans pooled connections cache for
//! carts' and orders' lookups keep their indexes from the first order on.

use e2e::{Backend, TestDatabase, shopgraph_binary};
use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};

#[tokio::test]
async fn seeding_analyses_the_catalog_and_leaves_empty_tables_unanalysed() -> anyhow::Result<()> {
    let Some(backend) = Backend::postgres() else {
        return Ok(());
    };
    let database = TestDatabase::create(&backend).await?;
    let url = database.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        anyhow::Ok(
            std::process::Command::new(shopgraph_binary()?)
                .args(["seed", "--products", "40"])
                .env("DATABASE_URL", url)
                .env("RUST_LOG", "warn")
                .output()?,
        )
    })
    .await??;
    assert!(
        output.status.success(),
        "seed failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let db = Database::connect(database.url.as_str()).await?;
    let estimated_rows = |table: &'static str| {
        let db = &db;
        async move {
            let row = db
                .query_one_raw(Statement::from_string(
                    db.get_database_backend(),
                    format!(
                        "SELECT reltuples::float8 AS n FROM pg_class WHERE relname = '{table}'"
                    ),
                ))
                .await?
                .ok_or_else(|| anyhow::anyhow!("no table {table}"))?;
            anyhow::Ok(row.try_get::<f64>("", "n")?)
        }
    };
    // Analysed: the planner knows the catalog's size.
    assert_eq!(estimated_rows("products").await?, 40.0);
    assert_eq!(estimated_rows("product_variants").await?, 120.0);
    // Never analysed (-1), not "analysed and empty" (0).
    for table in [
        "carts",
        "cart_lines",
        "orders",
        "order_lines",
        "order_allocations",
    ] {
        assert_eq!(estimated_rows(table).await?, -1.0, "{table}");
    }

    // What that buys: the generic plan of a cart's lines read uses the index. With the table
    // recorded as empty it was a sequential scan, kept by every pooled connection as the
    // table grew.
    // One transaction: one connection for the setting, the statement and its plan.
    let txn = db.begin().await?;
    txn.execute_unprepared("SET LOCAL plan_cache_mode = force_generic_plan")
        .await?;
    txn.execute_unprepared(
        "PREPARE lines_of(uuid) AS SELECT * FROM cart_lines WHERE cart_id = $1 ORDER BY created_at",
    )
    .await?;
    let plan = txn
        .query_all_raw(Statement::from_string(
            txn.get_database_backend(),
            "EXPLAIN EXECUTE lines_of('00000000-0000-0000-0000-000000000000')",
        ))
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<Vec<_>, _>>()?
        .join("\n");
    assert!(!plan.contains("Seq Scan"), "{plan}");
    assert!(plan.contains("uq_cart_lines_cart_id_variant_id"), "{plan}");
    txn.rollback().await?;
    db.close().await?;
    Ok(())
}
