use super::*;
use crate::shipping::events::ShippingChange;
use chrono::Utc;
use entities::json::StringList;
use entities::{shipping_method, shipping_zone};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, Schema, Set};
use uuid::Uuid;

/// An in-memory SQLite database (one connection: each one is a database of its own) with
/// the two shipping tables.
async fn database() -> DatabaseConnection {
    let mut options = sea_orm::ConnectOptions::new("sqlite::memory:");
    options.max_connections(1).min_connections(1);
    let db = Database::connect(options).await.unwrap();
    let schema = Schema::new(db.get_database_backend());
    for statement in [
        schema.create_table_from_entity(shipping_zone::Entity),
        schema.create_table_from_entity(shipping_method::Entity),
    ] {
        db.execute(&statement).await.unwrap();
    }
    db
}

async fn add_zone(db: &DatabaseConnection, name: &str) {
    shipping_zone::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        countries: Set(StringList(vec!["US".to_owned()])),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .unwrap();
}

fn names(rates: &Rates) -> Vec<String> {
    rates.zones().iter().map(|(z, _)| z.name.clone()).collect()
}

#[tokio::test]
async fn holds_the_configuration_until_invalidated() {
    let db = database().await;
    let cache = ShippingRatesCache::default();
    add_zone(&db, "Domestic").await;
    assert_eq!(names(&cache.get(&db).await.unwrap()), ["Domestic"]);

    // Written behind the cache's back: still the held one.
    add_zone(&db, "Europe").await;
    assert_eq!(names(&cache.get(&db).await.unwrap()), ["Domestic"]);

    cache.invalidate();
    assert_eq!(
        names(&cache.get(&db).await.unwrap()),
        ["Domestic", "Europe"]
    );
}

#[tokio::test]
async fn a_read_that_raced_an_invalidation_is_not_kept() {
    let db = database().await;
    let cache = ShippingRatesCache::default();
    let generation = cache.generation.load(Ordering::Acquire);
    let stale = Arc::new(rates::load(&db).await.unwrap());
    // The change commits and invalidates while that read is under way.
    add_zone(&db, "Domestic").await;
    cache.invalidate();
    cache.keep(generation, &stale);
    assert_eq!(names(&cache.get(&db).await.unwrap()), ["Domestic"]);
}

#[tokio::test]
async fn events_of_other_replicas_and_gaps_invalidate() {
    let db = database().await;
    let cache = Arc::new(ShippingRatesCache::default());
    let (sender, receiver) = broadcast::channel(8);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let follower = tokio::spawn(cache.clone().follow(receiver, async {
        let _ = stopped.await;
    }));

    let is_held = |cache: &ShippingRatesCache| {
        let generation = cache.generation.load(Ordering::Acquire);
        cache.current(generation).is_some()
    };
    let until_dropped = |cache: Arc<ShippingRatesCache>| async move {
        for _ in 0..200 {
            if !is_held(&cache) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the held configuration was not dropped");
    };

    cache.get(&db).await.unwrap();
    assert!(is_held(&cache));
    sender
        .send(BusMessage::Event(DomainEvent::ShippingChanged(
            ShippingChange::new(Uuid::now_v7()),
        )))
        .unwrap();
    until_dropped(cache.clone()).await;

    cache.get(&db).await.unwrap();
    assert!(is_held(&cache));
    sender.send(BusMessage::Resync).unwrap();
    until_dropped(cache.clone()).await;

    stop.send(()).unwrap();
    follower.await.unwrap();
}
