//! Real `shopgraph serve` processes: a writer killed with SIGKILL between an order's commit
//! and its delivery, and two replicas sharing one webhook.

use super::*;
use e2e::{Endpoint, ServerProcess, TestDatabase, TestRedis};
use entities::webhook_delivery;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::collections::BTreeMap;

/// Settings every process of one deployment shares; Redis too when the suite has one.
fn deployment(database: &TestDatabase, redis: Option<&TestRedis>) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("DATABASE_URL", database.url.clone()),
        ("DATABASE_MAX_CONNECTIONS", "8".to_owned()),
        (
            "JWT_SECRET",
            "a deployment secret of at least thirty-two bytes".to_owned(),
        ),
        ("ADMIN_EMAIL", e2e::ADMIN_EMAIL.to_owned()),
        ("ADMIN_PASSWORD", e2e::ADMIN_PASSWORD.to_owned()),
        ("SEED_DEMO", "true".to_owned()),
        ("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true".to_owned()),
        ("WEBHOOK_RETRY_BASE_MS", "200".to_owned()),
    ];
    if let Some(redis) = redis {
        env.push(("REDIS_URL", redis.url.clone()));
        env.push(("REDIS_NAMESPACE", redis.namespace.clone()));
    }
    env
}

fn with(
    mut env: Vec<(&'static str, String)>,
    key: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    env.push((key, value.to_owned()));
    env
}

/// A seeded variant with units to sell, and a warehouse.
async fn stocked(server: &Endpoint, admin: &str) -> anyhow::Result<(String, String)> {
    let found = server
        .graphql_as(
            Some(admin),
            "{ products(first: 50) { nodes { variants { id quantityAvailable } } } warehouses { id } }",
            json!({}),
        )
        .await?;
    let data = found.data();
    let variant = data["products"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["variants"].as_array().cloned().unwrap_or_default())
        .find(|v| v["quantityAvailable"].as_i64().unwrap_or(0) >= 5)
        .expect("a seeded variant in stock");
    Ok((
        variant["id"].as_str().unwrap().to_owned(),
        data["warehouses"][0]["id"].as_str().unwrap().to_owned(),
    ))
}

/// The ORDER_CREATED message of order `number`, once it arrived.
async fn message_of(receiver: &WebhookReceiver, number: &Value) -> anyhow::Result<String> {
    let received = receiver
        .until(Duration::from_secs(30), "the order's message", |r| {
            r.iter().any(|r| r.json()["data"]["number"] == *number)
        })
        .await?;
    Ok(received
        .iter()
        .find(|r| r.json()["data"]["number"] == *number)
        .unwrap()
        .id()
        .to_owned())
}

/// Killed after committing an order whose event no relay had taken yet, and killed again
/// after a delivery was queued and failed: after each restart the order's message is
/// delivered, once.
async fn an_order_is_delivered_once_across_kill_9(backend: Backend) -> anyhow::Result<()> {
    let database = TestDatabase::create(&backend).await?;
    let redis = TestRedis::from_env();
    let env = deployment(&database, redis.as_ref());
    let receiver = WebhookReceiver::start().await?;

    // 1. The writer commits the order but its relay never runs: the event is in the outbox
    //    when SIGKILL arrives, and no delivery exists yet.
    let writer = ServerProcess::spawn(&with(env.clone(), "OUTBOX_RELAY", "false")).await?;
    let admin_token = writer.admin_token().await?;
    let admin = writer.viewer(&admin_token);
    let (_, secret) = subscribe(&admin, &receiver.url(), &["ORDER_CREATED"]).await?;
    let (variant, _) = stocked(&writer, &admin_token).await?;
    let first = order_through(&writer.guest(), &variant).await?;
    let db = sea_orm::Database::connect(database.url.as_str()).await?;
    assert_eq!(webhook_delivery::Entity::find().count(&db).await?, 0);
    writer.kill()?;

    let restarted = ServerProcess::spawn(&env).await?;
    let first_id = message_of(&receiver, &first["number"]).await?;

    // 2. The receiver is down: the next order's delivery is queued and fails, and the
    //    process dies with it scheduled for a retry.
    receiver.fail_all(true);
    let second = order_through(&restarted.guest(), &variant).await?;
    let second_id = message_of(&receiver, &second["number"]).await?;
    restarted.kill()?;
    receiver.fail_all(false);
    let again = ServerProcess::spawn(&env).await?;
    let accepted = receiver
        .until_accepted(
            &[first_id.clone(), second_id.clone()],
            Duration::from_secs(30),
        )
        .await?;

    // Once each, signed with the webhook's secret, and staff see both SUCCEEDED.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let counts = accepted_per_id(&receiver.received());
    assert_eq!(
        counts,
        BTreeMap::from([(first_id, 1), (second_id, 1)]),
        "accepted once each"
    );
    assert!(accepted.iter().all(|r| verifies(r, &secret)));
    let admin = again.viewer(&again.admin_token().await?);
    deliveries_when(&admin, "both SUCCEEDED", |d| {
        d.len() == 2 && d.iter().all(|d| d["status"] == "SUCCEEDED")
    })
    .await?;
    db.close().await?;
    drop(again);
    if let Some(redis) = redis {
        redis.cleanup().await?;
    }
    Ok(())
}
e2e!(an_order_is_delivered_once_across_kill_9);

const ADJUST: &str = "mutation($v: ID!, $w: ID!, $d: Int!) { stockAdjust(variantId: $v, warehouseId: $w, delta: $d, reason: \"test\") { userErrors { message } } }";

/// Two replicas, both relaying and both sending, one webhook: every message of 40 stock
/// changes made through either replica reaches the receiver exactly once.
async fn two_replicas_deliver_each_message_once(backend: Backend) -> anyhow::Result<()> {
    let database = TestDatabase::create(&backend).await?;
    let redis = TestRedis::from_env();
    let env = deployment(&database, redis.as_ref());
    let receiver = WebhookReceiver::start().await?;
    let a = ServerProcess::spawn(&env).await?;
    let b = ServerProcess::spawn(&env).await?;
    let token = a.admin_token().await?;
    let (variant, warehouse) = stocked(&a, &token).await?;
    subscribe(&a.viewer(&token), &receiver.url(), &["STOCK_CHANGED"]).await?;

    let changes = (0..40).map(|n| {
        let replica = if n % 2 == 0 { &a } else { &b };
        let vars = json!({ "v": variant, "w": warehouse, "d": 1 });
        let token = token.clone();
        async move {
            let adjusted = replica.graphql_as(Some(&token), ADJUST, vars).await?;
            assert_eq!(adjusted.data()["stockAdjust"]["userErrors"], json!([]));
            anyhow::Ok(())
        }
    });
    for outcome in futures_util::future::join_all(changes).await {
        outcome?;
    }

    let db = sea_orm::Database::connect(database.url.as_str()).await?;
    let queued: Vec<String> = webhook_delivery::Entity::find()
        .all(&db)
        .await?
        .iter()
        .map(|d| d.event_id.to_string())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut queued = queued;
    while queued.len() < 40 {
        anyhow::ensure!(Instant::now() < deadline, "only {} queued", queued.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
        queued = webhook_delivery::Entity::find()
            .all(&db)
            .await?
            .iter()
            .map(|d| d.event_id.to_string())
            .collect();
    }
    receiver
        .until_accepted(&queued, Duration::from_secs(30))
        .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let received = receiver.received();
    let counts = accepted_per_id(&received);
    assert_eq!(
        received.len(),
        queued.len(),
        "no request repeated a message"
    );
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    assert_eq!(counts.len(), queued.len());
    eprintln!(
        "{} stock changes through two replicas: {} messages, each delivered once",
        40,
        counts.len()
    );
    db.close().await?;
    drop((a, b));
    if let Some(redis) = redis {
        redis.cleanup().await?;
    }
    Ok(())
}
e2e!(two_replicas_deliver_each_message_once);
