//! A `shopgraph serve` process killed with SIGKILL between an order's commit and its mail:
//! the restarted process sends the confirmation, once.

use super::*;
use e2e::{ServerProcess, TestDatabase, VariantSpec};
use entities::outbox;
use sea_orm::{PaginatorTrait, QueryFilter};

fn deployment(database: &TestDatabase, smtp: &SmtpServer) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", database.url.clone()),
        ("DATABASE_MAX_CONNECTIONS", "8".to_owned()),
        ("ADMIN_EMAIL", e2e::ADMIN_EMAIL.to_owned()),
        ("ADMIN_PASSWORD", e2e::ADMIN_PASSWORD.to_owned()),
        ("SMTP_URL", smtp.url()),
        ("STOREFRONT_URL", STOREFRONT.to_owned()),
        (
            "MAIL_SECRET",
            "a deployment's mail secret of at least 32 bytes".to_owned(),
        ),
    ]
}

async fn the_confirmation_survives_kill_9_between_the_order_and_its_mail(
    backend: Backend,
) -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let database = TestDatabase::create(&backend).await?;
    let env = deployment(&database, &smtp);
    // The order commits, but this process's relay never runs: the order's event is still in
    // the outbox, and no mail queued, when it is killed.
    let mut quiet = env.clone();
    quiet.push(("OUTBOX_RELAY", "false".to_owned()));
    let writer = ServerProcess::spawn(&quiet).await?;
    let admin = writer.admin().await?;
    let warehouse = admin.create_warehouse("MAIN").await?;
    let product = admin
        .product("Lamp")
        .variant(
            VariantSpec::new("LAMP-1")
                .price("USD", 4200)
                .stock(warehouse, 5),
        )
        .create()
        .await?;
    let guest = writer.guest();
    let cart = guest
        .cart()
        .line(product.variants[0].id, 1)
        .ready()
        .create()
        .await?;
    let response = guest
        .graphql(
            CHECKOUT,
            json!({ "cart": cart.to_string(), "key": "k", "payment": Value::Null }),
        )
        .await?;
    let placed = &response.data()["checkoutComplete"];
    assert_eq!(placed["userErrors"], json!([]), "{placed}");
    let number = placed["order"]["number"].as_i64().unwrap();
    let order_id = placed["order"]["id"].as_str().unwrap().to_owned();

    let db = sea_orm::Database::connect(database.url.as_str()).await?;
    let pending = outbox::Entity::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .filter(outbox::Column::Topic.eq("ORDER_CREATED"))
        .count(&db)
        .await?;
    assert_eq!(pending, 1, "the order's event waits in the outbox");
    assert_eq!(mail_job::Entity::find().count(&db).await?, 0);
    writer.kill()?;
    assert!(smtp.received()?.is_empty());

    let restarted = ServerProcess::spawn(&env).await?;
    smtp.wait_for(1).await?;
    // Time for a duplicate to show up, if there were one.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails = smtp.received()?;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let confirmations = with_subject(&mails, &format!("Order #{number} confirmed"));
    assert_eq!(confirmations.len(), 1, "{mails:?}");
    let link = confirmations[0]
        .link(&format!("{STOREFRONT}/orders/{order_id}?key="))
        .expect("a status link with a key");
    let opened = restarted
        .guest()
        .graphql(
            "query($key: String!) { orderByAccessKey(key: $key) { number } }",
            json!({ "key": key_of(&link).unwrap() }),
        )
        .await?;
    assert_eq!(opened.data()["orderByAccessKey"]["number"], number);
    let jobs = mail_job::Entity::find().all(&db).await?;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].status, MailJobStatus::Sent);
    db.close().await?;
    drop(restarted);
    Ok(())
}
e2e!(the_confirmation_survives_kill_9_between_the_order_and_its_mail);
