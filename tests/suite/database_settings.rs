//! The server's PostgreSQL sessions price out-of-order page reads for data in memory
//! (`random_page_cost = 1.1`, see `db.rs`), unless `DATABASE_URL` sets its own value.

use e2e::{Backend, TestDatabase};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::sync::Arc;

async fn random_page_cost(db: &DatabaseConnection) -> anyhow::Result<String> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT current_setting('random_page_cost') AS cost",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row"))?;
    Ok(row.try_get("", "cost")?)
}

#[tokio::test]
async fn server_sessions_plan_for_data_in_memory() -> anyhow::Result<()> {
    let Some(backend) = Backend::postgres() else {
        return Ok(());
    };
    let database = TestDatabase::create(&backend).await?;
    let metrics = Arc::new(shopgraph::metrics::Metrics::new());

    let db = shopgraph::db::connect(&database.url, 1, metrics.clone()).await?;
    assert_eq!(random_page_cost(&db).await?, "1.1");
    db.close().await?;

    // PostgreSQL's own default, on a connection that did not come through the server.
    let plain = sea_orm::Database::connect(database.url.as_str()).await?;
    assert_eq!(random_page_cost(&plain).await?, "4");
    plain.close().await?;

    let separator = if database.url.contains('?') { '&' } else { '?' };
    let own = format!(
        "{}{separator}options=-c%20random_page_cost%3D2.5",
        database.url
    );
    let db = shopgraph::db::connect(&own, 1, metrics).await?;
    assert_eq!(
        random_page_cost(&db).await?,
        "2.5",
        "the URL's value is kept"
    );
    db.close().await?;
    Ok(())
}
