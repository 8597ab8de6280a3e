//! `DATABASE_READ_URL`: shoppers' catalog reads go to the read replica; staff requests and the
//! read-your-writes paths (carts, checkout) stay on the primary. The "replica" here is a second
//! database holding a different catalog, so every answer shows which database it came from.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestDatabase, TestServer, e2e};
use serde_json::json;
use std::sync::Arc;

const COUNT: &str = "{ products(first: 1) { totalCount nodes { variants { id } } } }";

async fn catalog_reads_go_to_the_replica_and_writes_to_the_primary(
    backend: Backend,
) -> anyhow::Result<()> {
    let replica = TestDatabase::with_catalog(&backend, 7).await?;
    let replica_url = replica.url.clone();
    let server = TestServer::start(backend, 3, move |config| {
        config.database.database_read_url = Some(replica_url);
        config.auth.admin_email = Some(e2e::ADMIN_EMAIL.into());
        config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.into());
    })
    .await?;

    let shopper = server.graphql(COUNT, json!({})).await?;
    assert_eq!(
        shopper.data()["products"]["totalCount"],
        7,
        "a shopper's listing is read from the replica"
    );
    let admin = server.admin_token().await?;
    let staff = server.graphql_as(Some(&admin), COUNT, json!({})).await?;
    assert_eq!(
        staff.data()["products"]["totalCount"],
        3,
        "staff read the primary, where their changes are"
    );

    // A cart is written and read back on the primary.
    let variant = staff.data()["products"]["nodes"][0]["variants"][0]["id"].clone();
    let created = server
        .graphql(
            "mutation($v: ID!) { cartCreate(input: { lines: [{ variantId: $v, quantity: 2 }] }) {
                cart { id totalQuantity } userErrors { message } } }",
            json!({ "v": variant }),
        )
        .await?;
    assert_eq!(created.data()["cartCreate"]["userErrors"], json!([]));
    let cart = &created.data()["cartCreate"]["cart"];
    let read_back = server
        .graphql(
            "query($id: ID!) { cart(id: $id) { totalQuantity } }",
            json!({ "id": cart["id"] }),
        )
        .await?;
    assert_eq!(read_back.data()["cart"]["totalQuantity"], 2);
    let carts_on_replica: i64 = {
        use sea_orm::{EntityTrait, PaginatorTrait};
        let metrics = Arc::new(shopgraph::metrics::Metrics::new());
        let db = shopgraph::db::connect(&replica.url, 1, metrics).await?;
        let n = entities::cart::Entity::find().count(&db).await?;
        db.close().await?;
        i64::try_from(n)?
    };
    assert_eq!(carts_on_replica, 0, "nothing is written to the replica");
    drop(server);
    drop(replica);
    Ok(())
}
e2e!(catalog_reads_go_to_the_replica_and_writes_to_the_primary);
