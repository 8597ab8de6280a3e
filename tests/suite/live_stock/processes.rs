//! Replicas as they run in production: separate `shopgraph serve` processes sharing only
//! the database and Redis, and a writer killed with SIGKILL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

/// Settings every replica of one deployment shares.
fn deployment(database: &TestDatabase, redis: &TestRedis) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", database.url.clone()),
        ("DATABASE_MAX_CONNECTIONS", "8".to_owned()),
        ("REDIS_URL", redis.url.clone()),
        ("REDIS_NAMESPACE", redis.namespace.clone()),
        // Tokens issued by one replica are accepted by the others.
        (
            "JWT_SECRET",
            "a deployment secret of at least thirty-two bytes".to_owned(),
        ),
        ("ADMIN_EMAIL", e2e::ADMIN_EMAIL.to_owned()),
        ("ADMIN_PASSWORD", e2e::ADMIN_PASSWORD.to_owned()),
        ("SEED_DEMO", "true".to_owned()),
    ]
}

fn with(
    mut env: Vec<(&'static str, String)>,
    key: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    env.push((key, value.to_owned()));
    env
}

async fn adjust_through(
    replica: &Endpoint,
    admin: &str,
    variant: &str,
    warehouse: &str,
    delta: i32,
) -> anyhow::Result<()> {
    let vars = json!({ "v": variant, "w": warehouse, "d": delta });
    let adjusted = replica.graphql_as(Some(admin), ADJUST, vars).await?;
    assert_eq!(adjusted.data()["stockAdjust"]["userErrors"], json!([]));
    Ok(())
}

async fn a_subscriber_on_one_process_sees_changes_made_through_another(
    backend: Backend,
) -> anyhow::Result<()> {
    let Some(redis) = TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let database = TestDatabase::create(&backend).await?;
    let env = deployment(&database, &redis);
    let a = ServerProcess::spawn(&env).await?;
    let b = ServerProcess::spawn(&env).await?;
    let admin = a.admin_token().await?;
    let (variant, warehouse) = ids(&a, &admin).await?;

    // One subscriber per protocol on replica B.
    let before = b.event_subscribers().await?;
    let mut modern = watcher(&b, &variant).await?;
    let mut legacy = b.websocket(WsProtocol::LegacyWs, json!({})).await?;
    legacy
        .subscribe("1", WATCH, json!({ "v": [variant] }))
        .await?;
    // And the graphql-ws npm client, as a Next.js storefront would subscribe.
    let ws_url = format!("ws://{}/graphql", b.addr);
    let mut npm_client = NodeSubscriber::start(&ws_url, &variant).await?;
    b.until_subscribers(before + 3).await?;

    let started = Instant::now();
    adjust_through(&a, &admin, &variant, &warehouse, 3).await?;
    let seen = modern.next_json().await?;
    let latency = started.elapsed();
    let seen = update(&seen).clone();
    eprintln!("stockAdjust on process A → event on process B: {latency:?}");
    assert!(
        latency < Duration::from_secs(1),
        "delivered after {latency:?}"
    );
    assert_eq!(seen["variantId"], variant.as_str());
    assert_eq!(seen["resync"], false);
    let legacy_seen = legacy.next_json().await?;
    assert_eq!(legacy_seen["type"], "data", "{legacy_seen}");
    assert_eq!(
        legacy_seen["payload"]["data"]["stockChanged"]["eventId"],
        seen["eventId"]
    );

    if let Some(npm_client) = npm_client.as_mut() {
        let result = npm_client.next_json().await?;
        assert_eq!(
            result["data"]["stockChanged"], seen,
            "the same event for graphql-ws"
        );
    }

    // The next change carries the new total, and each change arrives once (both
    // replicas run a relay; only one publishes an event).
    adjust_through(&a, &admin, &variant, &warehouse, -1).await?;
    let next = modern.next_json().await?;
    assert_eq!(
        update(&next)["available"].as_i64(),
        seen["available"].as_i64().map(|n| n - 1)
    );
    assert_ne!(update(&next)["eventId"], seen["eventId"]);
    let again = tokio::time::timeout(Duration::from_millis(500), modern.next_json()).await;
    assert!(again.is_err(), "a duplicate delivery: {again:?}");

    // The processes poll their outbox once an hour (the harness's setting): the writer's
    // wake alone published everything.
    let db = sea_orm::Database::connect(database.url.as_str()).await?;
    all_published(&db).await?;
    db.close().await?;
    drop((a, b));
    redis.cleanup().await
}
e2e!(a_subscriber_on_one_process_sees_changes_made_through_another);

/// Collects `stockChanged` events until every id in `expected` has been seen (duplicates
/// are allowed: delivery is at-least-once).
async fn receive_all(client: &mut WsClient, expected: &[String]) -> anyhow::Result<Vec<String>> {
    let mut received = Vec::new();
    let wanted: HashSet<&String> = expected.iter().collect();
    let deadline = Instant::now() + Duration::from_secs(15);
    while !wanted.iter().all(|id| received.contains(*id)) {
        anyhow::ensure!(
            Instant::now() < deadline,
            "missing events: expected {expected:?}, received {received:?}"
        );
        let message = client.next_json().await?;
        received.push(update(&message)["eventId"].as_str().unwrap().to_owned());
    }
    Ok(received)
}

async fn unpublished(db: &DatabaseConnection) -> anyhow::Result<u64> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .count(db)
        .await?)
}

/// Waits until the relay has marked everything published: it marks them in the transaction
/// that published them, which commits just after subscribers may have received them.
async fn all_published(db: &DatabaseConnection) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while unpublished(db).await? > 0 {
        anyhow::ensure!(Instant::now() < deadline, "events left unpublished");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

async fn events_survive_kill_9_of_the_writer(backend: Backend) -> anyhow::Result<()> {
    let Some(redis) = TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let database = TestDatabase::create(&backend).await?;
    let env = deployment(&database, &redis);
    // The writer commits but its relay never runs: every event is still in the outbox
    // when it is killed. The watching replica has no relay either, so only the
    // restarted writer can publish them.
    let writer = ServerProcess::spawn(&with(env.clone(), "OUTBOX_RELAY", "false")).await?;
    let watching = ServerProcess::spawn(&with(env.clone(), "OUTBOX_RELAY", "false")).await?;
    let admin = writer.admin_token().await?;
    let (variant, warehouse) = ids(&writer, &admin).await?;
    let mut client = watcher(&watching, &variant).await?;
    for delta in [2, 3] {
        adjust_through(&writer, &admin, &variant, &warehouse, delta).await?;
    }
    let db = sea_orm::Database::connect(database.url.as_str()).await?;
    let variant_id: Uuid = variant.parse()?;
    let committed: Vec<String> = events_for(&db, variant_id)
        .await?
        .iter()
        .map(|e| e.id.to_string())
        .collect();
    assert_eq!(committed.len(), 2);
    assert_eq!(unpublished(&db).await?, 2);
    writer.kill()?;

    let restarted = ServerProcess::spawn(&env).await?;
    let delivered = receive_all(&mut client, &committed).await?;
    assert_eq!(
        delivered, committed,
        "in commit order, with their outbox ids"
    );
    all_published(&db).await?;

    // With the relay running, kill -9 the instant the last of a burst of changes commits:
    // whatever was not yet published goes out after the next start.
    let burst = (0..20).map(|_| adjust_through(&restarted, &admin, &variant, &warehouse, 1));
    for outcome in futures_util::future::join_all(burst).await {
        outcome?;
    }
    restarted.kill()?;
    let left_behind = unpublished(&db).await?;
    let committed: Vec<String> = events_for(&db, variant_id)
        .await?
        .iter()
        .skip(2)
        .map(|e| e.id.to_string())
        .collect();
    assert_eq!(committed.len(), 20);
    let again = ServerProcess::spawn(&env).await?;
    let delivered = receive_all(&mut client, &committed).await?;
    eprintln!(
        "burst of 20, {left_behind} unpublished at kill -9; {} deliveries after restart",
        delivered.len()
    );
    all_published(&db).await?;

    db.close().await?;
    drop((again, watching));
    redis.cleanup().await
}
e2e!(events_survive_kill_9_of_the_writer);
