//! Allocation without overselling, the transactional outbox, and stock events across
//! replicas, crashes and slow subscribers.
//!
//! Shared helpers live here; each file below is one aspect.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod allocations;
mod processes;
mod replicas;
mod subscriptions;

use e2e::{
    Backend, Endpoint, NodeSubscriber, ServerProcess, TestDatabase, TestRedis, TestServer,
    WsClient, WsProtocol, e2e,
};
use entities::{outbox, product_variant, stock_level, warehouse};
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

async fn ids(server: &Endpoint, admin: &str) -> anyhow::Result<(String, String)> {
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
        config.auth.admin_email = Some(e2e::ADMIN_EMAIL.to_owned());
        config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.to_owned());
        config.auth.jwt_secret = "a test secret of at least thirty-two bytes".parse().ok();
        config.events.outbox_relay = relay;
        if let Some(redis) = redis {
            config.cache.redis_url = Some(redis.url.clone());
            config.cache.redis_namespace = redis.namespace.clone();
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

async fn watcher(server: &Endpoint, variant: &str) -> anyhow::Result<WsClient> {
    let before = server.event_subscribers().await?;
    let mut client = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    client
        .subscribe("1", WATCH, json!({ "v": [variant] }))
        .await?;
    // The subscription registers before anything is published.
    server.until_subscribers(before + 1).await?;
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
