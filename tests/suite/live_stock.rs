//! Allocation without overselling, the transactional outbox, and stock events across
//! replicas, crashes and slow subscribers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestRedis, TestServer, WsClient, WsProtocol, e2e};
use entities::{outbox, product_variant, stock_level, warehouse};
use schema::common::transaction::begin_write;
use schema::events::BusMessage;
use schema::inventory::service::allocation::{self, Request};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use uuid::Uuid;

const ADJUST: &str = "mutation($v: ID!, $w: ID!, $d: Int!) { stockAdjust(variantId: $v, warehouseId: $w, delta: $d, reason: \"test\") { userErrors { message } } }";
const WATCH: &str = "subscription($v: [ID!]) { stockChanged(variantIds: $v) { eventId variantId available inStock resync } }";

/// A variant whose stock is exactly `per_warehouse` units in each warehouse (nothing
/// allocated), written straight to the database so no events exist for it yet.
async fn stocked_variant(db: &DatabaseConnection, per_warehouse: &[i32]) -> anyhow::Result<Uuid> {
    let variant = product_variant::Entity::find()
        .order_by_asc(product_variant::Column::Id)
        .one(db)
        .await?
        .unwrap()
        .id;
    stock_level::Entity::delete_many()
        .filter(stock_level::Column::VariantId.eq(variant))
        .exec(db)
        .await?;
    let warehouses = warehouse::Entity::find()
        .order_by_asc(warehouse::Column::Priority)
        .order_by_asc(warehouse::Column::Code)
        .all(db)
        .await?;
    for (warehouse, on_hand) in warehouses.iter().zip(per_warehouse) {
        stock_level::ActiveModel {
            variant_id: Set(variant),
            warehouse_id: Set(warehouse.id),
            on_hand: Set(*on_hand),
            allocated: Set(0),
            updated_at: Set(chrono::Utc::now()),
        }
        .insert(db)
        .await?;
    }
    Ok(variant)
}

async fn events_for(db: &DatabaseConnection, variant: Uuid) -> anyhow::Result<Vec<outbox::Model>> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::AggregateId.eq(variant))
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await?)
}

async fn concurrent_allocations_never_oversell(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 2).await?;
    let db = server.app.app.db.clone();
    // 10 units over two warehouses, so some allocations must come from the second one.
    let variant = stocked_variant(&db, &[6, 4]).await?;

    let attempts = (0..200).map(|_| {
        let db = db.clone();
        tokio::spawn(async move {
            let txn = begin_write(&db).await?;
            let outcome = allocation::allocate(
                &txn,
                &[Request {
                    variant_id: variant,
                    quantity: 1,
                }],
            )
            .await?;
            if outcome.is_ok() {
                txn.commit().await?;
            }
            anyhow::Ok(outcome)
        })
    });
    let outcomes = futures_util::future::join_all(attempts).await;
    let mut succeeded = 0;
    let mut out_of_stock = 0;
    for outcome in outcomes {
        match outcome?? {
            Ok(allocated) => {
                assert_eq!(allocated.allocations.len(), 1);
                assert_eq!(allocated.events.len(), 1);
                succeeded += 1;
            }
            Err(shortages) => {
                assert_eq!(shortages[0].variant_id, variant);
                assert_eq!(shortages[0].available, 0);
                out_of_stock += 1;
            }
        }
    }
    assert_eq!((succeeded, out_of_stock), (10, 190));

    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.eq(variant))
        .all(&db)
        .await?;
    let on_hand: i32 = levels.iter().map(|l| l.on_hand).sum();
    let allocated: i32 = levels.iter().map(|l| l.allocated).sum();
    assert_eq!((on_hand, allocated), (10, 10));
    assert!(
        levels
            .iter()
            .all(|l| l.allocated <= l.on_hand && l.allocated >= 0)
    );

    // Exactly one event per success, each with the availability its allocation left.
    let events = events_for(&db, variant).await?;
    assert_eq!(events.len(), 10);
    let availabilities: HashSet<i64> = events
        .iter()
        .map(|e| e.payload["data"]["available"].as_i64().unwrap())
        .collect();
    assert_eq!(availabilities, (0..10).collect());
    server.stop().await
}
e2e!(concurrent_allocations_never_oversell);

async fn release_and_fulfilment_move_stock_and_emit_events(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 2).await?;
    let db = server.app.app.db.clone();
    let variant = stocked_variant(&db, &[2, 5]).await?;

    let txn = begin_write(&db).await?;
    let taken = allocation::allocate(
        &txn,
        &[Request {
            variant_id: variant,
            quantity: 4,
        }],
    )
    .await?
    .unwrap();
    txn.commit().await?;
    // The preferred warehouse is emptied first, the rest comes from the next one.
    let quantities: Vec<i32> = taken.allocations.iter().map(|a| a.quantity).collect();
    assert_eq!(quantities, vec![2, 2]);

    let txn = begin_write(&db).await?;
    let too_much = allocation::allocate(
        &txn,
        &[Request {
            variant_id: variant,
            quantity: 4,
        }],
    )
    .await?;
    drop(txn);
    assert_eq!(too_much.unwrap_err()[0].available, 3);

    let txn = begin_write(&db).await?;
    allocation::fulfil(&txn, &taken.allocations[..1]).await?;
    allocation::release(&txn, &taken.allocations[1..]).await?;
    txn.commit().await?;
    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.eq(variant))
        .all(&db)
        .await?;
    let on_hand: i32 = levels.iter().map(|l| l.on_hand).sum();
    let allocated: i32 = levels.iter().map(|l| l.allocated).sum();
    assert_eq!((on_hand, allocated), (5, 0), "2 shipped, 2 released");

    // Releasing what is not held is refused and changes nothing.
    let txn = begin_write(&db).await?;
    assert!(
        allocation::release(&txn, &taken.allocations[1..])
            .await
            .is_err()
    );
    drop(txn);
    // One event each for the allocation, the fulfilment and the release.
    assert_eq!(events_for(&db, variant).await?.len(), 3);
    server.stop().await
}
e2e!(release_and_fulfilment_move_stock_and_emit_events);

struct Replicas {
    writer: TestServer,
    admin: String,
    variant: String,
    warehouse: String,
}

impl Replicas {
    /// `stockAdjust` through the writer, which must succeed.
    async fn adjust(&self, delta: i32) -> anyhow::Result<()> {
        let vars = json!({ "v": self.variant, "w": self.warehouse, "d": delta });
        let adjusted = self
            .writer
            .graphql_as(Some(&self.admin), ADJUST, vars)
            .await?;
        assert_eq!(adjusted.data()["stockAdjust"]["userErrors"], json!([]));
        Ok(())
    }
}

async fn ids(server: &TestServer, admin: &str) -> anyhow::Result<(String, String)> {
    let ids = server
        .graphql_as(
            Some(admin),
            "{ products(first: 1) { nodes { variants { id } } } warehouses { id } }",
            json!({}),
        )
        .await?;
    let data = ids.data();
    Ok((
        data["products"]["nodes"][0]["variants"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        data["warehouses"][0]["id"].as_str().unwrap().to_owned(),
    ))
}

async fn writer(
    backend: Backend,
    redis: Option<&TestRedis>,
    relay: bool,
) -> anyhow::Result<Replicas> {
    let writer = TestServer::start(backend, 2, |config| {
        config.admin_email = Some(e2e::ADMIN_EMAIL.to_owned());
        config.admin_password = Some(e2e::ADMIN_PASSWORD.to_owned());
        config.jwt_secret = Some("a test secret of at least thirty-two bytes".to_owned());
        config.outbox_relay = relay;
        if let Some(redis) = redis {
            config.redis_url = Some(redis.url.clone());
            config.redis_namespace = redis.namespace.clone();
        }
    })
    .await?;
    let admin = writer.admin_token().await?;
    let (variant, warehouse) = ids(&writer, &admin).await?;
    Ok(Replicas {
        writer,
        admin,
        variant,
        warehouse,
    })
}

async fn watcher(server: &TestServer, variant: &str) -> anyhow::Result<WsClient> {
    let mut client = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    client
        .subscribe("1", WATCH, json!({ "v": [variant] }))
        .await?;
    // Let the subscription register before anything is published.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(client)
}

/// The error of a refused subscription (async-graphql sends it as a result with errors).
fn first_error(message: &Value) -> &Value {
    assert_eq!(message["type"], "next", "{message}");
    &message["payload"]["errors"][0]
}

fn update(message: &Value) -> &Value {
    assert_eq!(message["type"], "next", "{message}");
    &message["payload"]["data"]["stockChanged"]
}

async fn subscribers_on_another_replica_see_changes(backend: Backend) -> anyhow::Result<()> {
    let Some(redis) = TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let a = writer(backend, Some(&redis), true).await?;
    let b = a
        .writer
        .replica(|config| {
            config.redis_url = Some(redis.url.clone());
            config.redis_namespace = redis.namespace.clone();
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
            config.redis_url = Some(url);
            config.redis_namespace = namespace;
            config.outbox_relay = relay;
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
    let published = events_for(&db, variant).await?;
    assert!(published.iter().all(|e| e.published_at.is_some()));

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
    let restarted = a
        .writer
        .replica(|config| config.outbox_relay = true)
        .await?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while pending().await? > 0 {
        assert!(
            Instant::now() < deadline,
            "the relay did not publish the event"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    restarted.stop().await?;
    a.writer.stop().await
}
e2e!(the_relay_publishes_what_a_stopped_process_left);

async fn subscribers_that_may_have_missed_events_are_resynced(
    backend: Backend,
) -> anyhow::Result<()> {
    let a = writer(backend, None, true).await?;
    let mut client = watcher(&a.writer, &a.variant).await?;
    a.adjust(4).await?;
    let live = client.next_json().await?;
    assert_eq!(update(&live)["resync"], false);

    // What the Redis bridge sends after a reconnect: the subscriber gets the current state
    // of what it watches that changed lately, marked as a resync.
    a.writer.app.app.events.deliver_locally(BusMessage::Resync);
    let restated = client.next_json().await?;
    let restated = update(&restated);
    assert_eq!(restated["resync"], true);
    assert_eq!(restated["variantId"], a.variant.as_str());
    assert_eq!(restated["available"], update(&live)["available"]);
    a.writer.stop().await
}
e2e!(subscribers_that_may_have_missed_events_are_resynced);

async fn low_stock_is_for_staff_and_reports_low_variants(backend: Backend) -> anyhow::Result<()> {
    let a = writer(backend, None, true).await?;
    // Units in the other warehouses: the threshold sits just above them.
    let variant: Uuid = a.variant.parse()?;
    let warehouse: Uuid = a.warehouse.parse()?;
    let elsewhere: i32 = stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.eq(variant))
        .filter(stock_level::Column::WarehouseId.ne(warehouse))
        .all(&a.writer.app.app.db)
        .await?
        .iter()
        .map(|l| l.on_hand - l.allocated)
        .sum();
    let threshold = elsewhere + 2;
    let query = "subscription($t: Int) { lowStock(threshold: $t) { variantId available } }";

    let mut anonymous = a
        .writer
        .websocket(WsProtocol::TransportWs, json!({}))
        .await?;
    anonymous
        .subscribe("1", query, json!({ "t": threshold }))
        .await?;
    let refused = anonymous.next_json().await?;
    assert_eq!(
        first_error(&refused)["extensions"]["code"],
        "UNAUTHENTICATED"
    );

    let mut staff = a
        .writer
        .websocket(
            WsProtocol::TransportWs,
            json!({ "Authorization": format!("Bearer {}", a.admin) }),
        )
        .await?;
    staff
        .subscribe("1", query, json!({ "t": threshold }))
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let set = "mutation($v: ID!, $w: ID!, $n: Int!) { stockSet(variantId: $v, warehouseId: $w, onHand: $n) { userErrors { message } } }";
    // Plenty: not reported. Then low: reported.
    for on_hand in [50, 1] {
        a.writer
            .graphql_as(
                Some(&a.admin),
                set,
                json!({ "v": a.variant, "w": a.warehouse, "n": on_hand }),
            )
            .await?;
    }
    let message = staff.next_json().await?;
    let low = &message["payload"]["data"]["lowStock"];
    assert_eq!(low["variantId"], a.variant.as_str());
    assert_eq!(
        low["available"].as_i64().unwrap(),
        i64::from(elsewhere + 1),
        "{message}"
    );
    a.writer.stop().await
}
e2e!(low_stock_is_for_staff_and_reports_low_variants);

async fn connections_and_subscriptions_are_capped(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::start(backend, 1, |config| {
        config.max_subscriptions_per_connection = 2;
        config.max_websockets_per_client = 2;
    })
    .await?;
    let mut client = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    for id in ["1", "2", "3"] {
        client.subscribe(id, WATCH, json!({ "v": [] })).await?;
    }
    // The three are started concurrently: whichever comes last is refused, and completed.
    let refused = client.next_json().await?;
    assert!(
        first_error(&refused)["message"]
            .as_str()
            .unwrap()
            .contains("at most 2 subscriptions"),
        "{refused}"
    );
    let refused_id = refused["id"].as_str().unwrap().to_owned();
    let completed = client.next_json().await?;
    assert_eq!(completed["type"], "complete");
    assert_eq!(completed["id"], refused_id.as_str());
    // Completing an accepted one frees its slot for a new subscription.
    let accepted = if refused_id == "1" { "2" } else { "1" };
    client
        .send(json!({ "type": "complete", "id": accepted }))
        .await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    client.subscribe("4", WATCH, json!({ "v": [] })).await?;
    let deadline = Instant::now() + Duration::from_millis(400);
    while let Ok(Ok(message)) = tokio::time::timeout_at(deadline.into(), client.next_json()).await {
        assert_ne!(
            message["id"], "4",
            "the fourth subscription was refused: {message}"
        );
    }

    let _second = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    let third = server.websocket(WsProtocol::TransportWs, json!({})).await;
    let refusal = format!("{:?}", third.err().expect("a third connection is refused"));
    assert!(refusal.contains("429"), "{refusal}");
    server.stop().await
}
e2e!(connections_and_subscriptions_are_capped);
