//! Domain events and how they reach subscribers, exactly once per commit and at least once
//! per event:
//!
//! 1. A service that changes state records its event on its unit of work
//!    (`crate::unit_of_work`), whose commit writes it to the **outbox** (`outbox.rs`) inside
//!    the same transaction, so the event exists if and only if the change committed.
//! 2. The commit then wakes the **relay** (`relay.rs`), which publishes pending events to
//!    the **hub** (`hub.rs`) and marks them published. Events left behind by a crash are
//!    picked up by the relay's periodic poll after restart (or by another replica).
//! 3. The hub delivers to this process's subscribers through a bounded broadcast channel;
//!    with Redis, it publishes to a Redis channel instead and every replica's **bridge**
//!    (`redis_bridge.rs`) forwards what arrives into its own broadcast channel.
//!
//! Subscribers that fall behind, or whose replica lost Redis for a while, get a `Resync`
//! and re-read current state; events carry absolute values and an id to deduplicate.

pub mod hub;
pub mod outbox;
pub mod redis_bridge;
pub mod relay;
pub mod stats;

pub use hub::{BusMessage, EventHub};
pub use stats::{EventCounts, EventStats};

use crate::carts::events::CartAbandonment;
use crate::catalog::events::CatalogChange;
use crate::content::events::ContentChange;
use crate::customers::events::{CustomerCreated, SessionRevoked};
use crate::inventory::events::{BackInStockNotice, StockUpdate};
use crate::orders::events::OrderUpdate;
use crate::shipping::events::ShippingChange;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Everything subscriptions can follow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum DomainEvent {
    StockChanged(StockUpdate),
    OrderUpdated(OrderUpdate),
    /// Searchable product facts changed; nobody subscribes, the relay queues the products
    /// for the search index.
    CatalogChanged(CatalogChange),
    /// Sessions ended before their access tokens expired (sign-out); every replica stops
    /// accepting those tokens (`customers::sessions`).
    SessionRevoked(SessionRevoked),
    /// A back-in-stock subscription's variant is available again (raised by the relay when it
    /// sees the stock change; once per subscription).
    BackInStock(BackInStockNotice),
    /// A cart with an email and lines was left untouched (once per cart).
    CartAbandoned(CartAbandonment),
    CustomerCreated(CustomerCreated),
    /// A menu or page changed; nobody subscribes, cached answers are dropped.
    ContentChanged(ContentChange),
    /// A shipping zone or method changed; nobody subscribes, every replica drops the shipping
    /// configuration it holds.
    ShippingChanged(ShippingChange),
}

impl DomainEvent {
    /// Unique per event; also the outbox row's id, so duplicates can be recognised end to end.
    pub fn id(&self) -> Uuid {
        match self {
            DomainEvent::StockChanged(update) => update.event_id,
            DomainEvent::OrderUpdated(update) => update.event_id,
            DomainEvent::CatalogChanged(change) => change.event_id,
            DomainEvent::SessionRevoked(revoked) => revoked.event_id,
            DomainEvent::BackInStock(notice) => notice.event_id,
            DomainEvent::CartAbandoned(cart) => cart.event_id,
            DomainEvent::CustomerCreated(customer) => customer.event_id,
            DomainEvent::ContentChanged(change) => change.event_id,
            DomainEvent::ShippingChanged(change) => change.event_id,
        }
    }

    /// The outbox topic, for operators reading the table and for the outgoing webhooks to
    /// come: an order change that is one of their topics is filed under it (`ORDER_PAID`,
    /// `ORDER_REFUNDED`, …), any other under `ORDER_UPDATED`.
    pub fn topic(&self) -> &'static str {
        match self {
            DomainEvent::StockChanged(_) => "stock.changed",
            DomainEvent::OrderUpdated(update) => update.topic().unwrap_or("ORDER_UPDATED"),
            DomainEvent::CatalogChanged(_) => "catalog.changed",
            DomainEvent::SessionRevoked(_) => "session.revoked",
            DomainEvent::BackInStock(_) => "BACK_IN_STOCK",
            DomainEvent::CartAbandoned(_) => "CART_ABANDONED",
            DomainEvent::CustomerCreated(_) => "CUSTOMER_CREATED",
            DomainEvent::ContentChanged(_) => "content.changed",
            DomainEvent::ShippingChanged(_) => "shipping.changed",
        }
    }

    /// The entity the event is about.
    pub fn aggregate_id(&self) -> Uuid {
        match self {
            DomainEvent::StockChanged(update) => update.variant_uuid,
            DomainEvent::OrderUpdated(update) => update.order_id,
            DomainEvent::CatalogChanged(change) => change
                .product_ids
                .first()
                .copied()
                .or(change.category_id)
                .or(change.collection_id)
                .unwrap_or(change.event_id),
            DomainEvent::SessionRevoked(revoked) => revoked.account_id,
            DomainEvent::BackInStock(notice) => notice.variant_uuid,
            DomainEvent::CartAbandoned(cart) => cart.cart_id,
            DomainEvent::CustomerCreated(customer) => customer.customer_id,
            DomainEvent::ContentChanged(change) => change.id,
            DomainEvent::ShippingChanged(change) => change.id,
        }
    }
}
