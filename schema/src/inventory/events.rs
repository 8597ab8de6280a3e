//! Live inventory events and the bus that carries them to subscribers.
//!
//! The bus is a trait so that the in-process broadcast used by a single server can be swapped
//! for a Redis-backed one when several replicas must see each other's events.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

/// The new availability of a variant after a stock change. It carries the absolute quantity,
/// not a delta, so a subscriber that missed an event is correct again at the next one.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[graphql(complex)]
pub struct StockUpdate {
    #[graphql(skip)]
    pub event_id: Uuid,
    #[graphql(skip)]
    pub variant_uuid: Uuid,
    #[graphql(skip)]
    pub product_uuid: Uuid,
    pub sku: String,
    /// Units available to sell over all warehouses.
    pub available: i32,
    pub in_stock: bool,
    pub occurred_at: DateTime<Utc>,
}

#[async_graphql::ComplexObject]
impl StockUpdate {
    async fn variant_id(&self) -> ID {
        ID(self.variant_uuid.to_string())
    }

    async fn product_id(&self) -> ID {
        ID(self.product_uuid.to_string())
    }

    /// Unique per event: subscribers can drop duplicates of an at-least-once delivery.
    async fn event_id(&self) -> ID {
        ID(self.event_id.to_string())
    }
}

/// Events that subscriptions can follow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DomainEvent {
    StockChanged(StockUpdate),
}

/// Carries events from whoever commits a change to every subscriber of this process.
pub trait EventBus: Send + Sync {
    /// Delivers `event` to current subscribers; having none is not an error.
    fn publish(&self, event: DomainEvent);
    /// A receiver of every event published from now on.
    fn subscribe(&self) -> broadcast::Receiver<DomainEvent>;
}

/// The single-process bus: a bounded broadcast channel. A subscriber that falls more than
/// `capacity` events behind skips ahead (it sees `Lagged`) rather than slowing the others.
pub struct InProcessBus {
    sender: broadcast::Sender<DomainEvent>,
}

impl InProcessBus {
    pub fn new(capacity: usize) -> Self {
        Self {
            sender: broadcast::channel(capacity.max(1)).0,
        }
    }
}

impl Default for InProcessBus {
    fn default() -> Self {
        Self::new(4096)
    }
}

impl EventBus for InProcessBus {
    fn publish(&self, event: DomainEvent) {
        // `send` fails only when nobody listens, which is fine.
        let _ = self.sender.send(event);
    }

    fn subscribe(&self) -> broadcast::Receiver<DomainEvent> {
        self.sender.subscribe()
    }
}
