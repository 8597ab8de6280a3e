//! Message bodies: `{ "id", "topic", "occurredAt", "data" }`, where `data` is shaped like the
//! GraphQL object the topic is about (camelCase names as in `graphql/schema.graphql`: an
//! `Order`, a `Product`, a stock update…), so receivers can reuse their GraphQL types.
//!
//! Bodies are built once, when the relay queues the delivery (inside its transaction), and
//! stored: every attempt sends the same bytes, and `data` is the object as it stood then (an
//! order's current state moments after the event, not whatever it became by a retry days
//! later). One builder per topic family: `orders`, `catalog`, `stock`, `shoppers`.

mod catalog;
mod orders;
mod shoppers;
mod stock;

use crate::error::{ApiError, ApiResult};
use crate::events::DomainEvent;
use crate::webhooks::topics::{Message, WebhookTopic};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    id: String,
    topic: &'a str,
    occurred_at: String,
    data: Value,
}

/// Objects already read in this relay pass: several events of one batch about one order make
/// one read.
#[derive(Default)]
pub struct Reads {
    orders: HashMap<Uuid, Option<Value>>,
}

/// The body of `message` (one of `event`'s), reading what `data` needs through `db` (the
/// relay's transaction).
pub async fn body(
    db: &impl ConnectionTrait,
    reads: &mut Reads,
    event: &DomainEvent,
    message: &Message,
) -> ApiResult<String> {
    let data = data(db, reads, event, message.topic).await?;
    let envelope = Envelope {
        id: message.id.to_string(),
        topic: message.topic.as_str(),
        occurred_at: timestamp(occurred_at(event)),
        data,
    };
    serde_json::to_string(&envelope)
        .map_err(|e| ApiError::Internal(format!("encoding a webhook body: {e}")))
}

async fn data(
    db: &impl ConnectionTrait,
    reads: &mut Reads,
    event: &DomainEvent,
    topic: WebhookTopic,
) -> ApiResult<Value> {
    Ok(match event {
        DomainEvent::OrderUpdated(update) => {
            let order = match reads.orders.get(&update.order_id) {
                Some(read) => read.clone(),
                None => {
                    let read = orders::order(db, update.order_id).await?;
                    reads.orders.insert(update.order_id, read.clone());
                    read
                }
            };
            order.unwrap_or_else(|| orders::from_event(update))
        }
        DomainEvent::StockChanged(update) => stock::stock(db, update).await?,
        DomainEvent::BackInStock(notice) => stock::back_in_stock(db, notice).await?,
        DomainEvent::CatalogChanged(change) if topic == WebhookTopic::CategoryUpdated => {
            catalog::category(db, change).await?
        }
        DomainEvent::CatalogChanged(change) => catalog::product(db, change).await?,
        DomainEvent::CartAbandoned(cart) => shoppers::cart(cart),
        DomainEvent::CustomerCreated(customer) => shoppers::customer(customer),
        // Makes no messages (`topics::messages`).
        DomainEvent::SessionRevoked(_)
        | DomainEvent::ContentChanged(_)
        | DomainEvent::ShippingChanged(_) => Value::Null,
    })
}

fn occurred_at(event: &DomainEvent) -> DateTime<Utc> {
    match event {
        DomainEvent::StockChanged(e) => e.occurred_at,
        DomainEvent::OrderUpdated(e) => e.occurred_at,
        DomainEvent::CatalogChanged(e) => e.occurred_at,
        DomainEvent::SessionRevoked(e) => e.occurred_at,
        DomainEvent::BackInStock(e) => e.occurred_at,
        DomainEvent::CartAbandoned(e) => e.occurred_at,
        DomainEvent::CustomerCreated(e) => e.occurred_at,
        DomainEvent::ContentChanged(e) => e.occurred_at,
        DomainEvent::ShippingChanged(e) => e.occurred_at,
    }
}

/// As the GraphQL `DateTime` scalar writes it (RFC 3339).
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

/// An id as GraphQL shows it.
fn id(id: Uuid) -> Value {
    Value::String(id.to_string())
}
