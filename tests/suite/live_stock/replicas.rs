//! Replicas and crashes with in-process servers (fast; `processes.rs` repeats the key
//! cases with real `shopgraph serve` processes and `kill -9`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

async fn subscribers_on_another_replica_see_changes(backend: Backend) -> anyhow::Result<()> {
    let Some(redis) = TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let a = writer(backend, Some(&redis), true).await?;
    let b = a
        .writer
        .replica(|config| {
            config.cache.redis_url = Some(redis.url.clone());
            config.cache.redis_namespace = redis.namespace.clone();
        })
        .await?;
    let mut client = watcher(&b, &a.variant).await?;

    let started = Instant::now();
    a.adjust(3).await?;
    let message = client.next_json().await?;
    let latency = started.elapsed();
    let seen = update(&message);
    assert_eq!(seen["variantId"], a.variant.as_str());
    assert_eq!(seen["resync"], false);
    eprintln!("stockAdjust on replica A → event on replica B: {latency:?}");
    // Delivered once, not once per replica relay.
    let again = tokio::time::timeout(Duration::from_millis(500), client.next_json()).await;
    assert!(again.is_err(), "a second delivery: {again:?}");

    b.stop().await?;
    a.writer.stop().await?;
    redis.cleanup().await
}
e2e!(subscribers_on_another_replica_see_changes);

async fn events_committed_before_a_crash_are_delivered_after_restart(
    backend: Backend,
) -> anyhow::Result<()> {
    let Some(redis) = TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let with_redis = |relay: bool| {
        let (url, namespace) = (redis.url.clone(), redis.namespace.clone());
        move |config: &mut shopgraph::config::Config| {
            config.cache.redis_url = Some(url);
            config.cache.redis_namespace = namespace;
            config.events.outbox_relay = relay;
        }
    };
    // The writer commits but never gets to publish: its relay is off, then it dies.
    let a = writer(backend, Some(&redis), false).await?;
    let watching = a.writer.replica(with_redis(false)).await?;
    let mut client = watcher(&watching, &a.variant).await?;
    for delta in [2, 3] {
        a.adjust(delta).await?;
    }
    let db = a.writer.app.app.db.clone();
    let variant: Uuid = a.variant.parse()?;
    let pending = events_for(&db, variant).await?;
    assert_eq!(pending.len(), 2);
    assert!(pending.iter().all(|e| e.published_at.is_none()));
    let nothing_yet = tokio::time::timeout(Duration::from_millis(300), client.next_json()).await;
    assert!(
        nothing_yet.is_err(),
        "published without a relay: {nothing_yet:?}"
    );
    let remains = a.writer.crash();

    // The restarted process (relay on) publishes what the crashed one left behind.
    let restarted = remains.restart(with_redis(true)).await?;
    let mut delivered = Vec::new();
    for _ in 0..2 {
        let message = client.next_json().await?;
        delivered.push(update(&message)["eventId"].as_str().unwrap().to_owned());
    }
    let expected: Vec<String> = pending.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(
        delivered, expected,
        "every event, in commit order, with its outbox id"
    );
    // The relay publishes inside the transaction that marks the rows published: a subscriber
    // can see an event a moment before that commit lands.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !events_for(&db, variant)
        .await?
        .iter()
        .all(|e| e.published_at.is_some())
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the restarted relay marked the events published"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    restarted.stop().await?;
    watching.stop().await?;
    redis.cleanup().await
}
e2e!(events_committed_before_a_crash_are_delivered_after_restart);

async fn the_relay_publishes_what_a_stopped_process_left(backend: Backend) -> anyhow::Result<()> {
    // The same guarantee without Redis: the outbox outlives the process.
    let a = writer(backend, None, false).await?;
    a.adjust(1).await?;
    let db = a.writer.app.app.db.clone();
    let pending = || async {
        outbox::Entity::find()
            .filter(outbox::Column::PublishedAt.is_null())
            .count(&db)
            .await
    };
    assert_eq!(pending().await?, 1);
    // Operators see the backlog on /metrics.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let metrics = metrics_of(&a.writer).await?;
    assert_eq!(
        metric(&metrics, "shopgraph_outbox_pending_events"),
        Some(1.0)
    );
    assert!(metric(&metrics, "shopgraph_outbox_oldest_pending_age_seconds").unwrap() > 0.0);
    assert_eq!(
        metric(&metrics, "shopgraph_events_relayed_total"),
        Some(0.0)
    );
    let restarted = a
        .writer
        .replica(|config| config.events.outbox_relay = true)
        .await?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while pending().await? > 0 {
        assert!(
            Instant::now() < deadline,
            "the relay did not publish the event"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let metrics = metrics_of(&restarted).await?;
    assert_eq!(
        metric(&metrics, "shopgraph_outbox_pending_events"),
        Some(0.0)
    );
    assert_eq!(
        metric(&metrics, "shopgraph_outbox_oldest_pending_age_seconds"),
        Some(0.0)
    );
    assert_eq!(
        metric(&metrics, "shopgraph_events_relayed_total"),
        Some(1.0)
    );
    assert_eq!(
        metric(&metrics, "shopgraph_outbox_relay_failures_total"),
        Some(0.0)
    );
    restarted.stop().await?;
    a.writer.stop().await
}

async fn metrics_of(server: &Endpoint) -> anyhow::Result<String> {
    server.get_text("/metrics").await
}

/// The value of an unlabelled metric in the exposition text.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}
e2e!(the_relay_publishes_what_a_stopped_process_left);
