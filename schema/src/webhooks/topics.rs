//! The one place events become webhook topics: which messages an outbox event makes. Most
//! events make one; a stock change that leaves a variant with nothing to sell makes two
//! (STOCK_CHANGED and STOCK_OUT), each with its own message id, because receivers drop
//! repeats by `webhook-id` and must not take the second for a repeat of the first.

use crate::catalog::events::CatalogChangeKind;
use crate::events::DomainEvent;
use async_graphql::Enum;
use std::str::FromStr;
use uuid::Uuid;

/// What a webhook can subscribe to (SPEC §9).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WebhookTopic {
    OrderCreated,
    OrderPaid,
    /// Any other change of an order (shipments delivered, tracking, returns reviewed, notes).
    OrderUpdated,
    /// Shipped in part or in full.
    OrderFulfilled,
    OrderCancelled,
    /// Refunded in part or in full.
    OrderRefunded,
    ReturnRequested,
    ProductCreated,
    /// The product's own fields, its variants or their prices.
    ProductUpdated,
    ProductDeleted,
    /// A category was created, renamed, moved or deleted.
    CategoryUpdated,
    /// Collections come with a later issue; nothing is delivered under it yet.
    CollectionUpdated,
    /// A variant's availability changed (every stock change).
    StockChanged,
    /// A variant has nothing left to sell (availability 0), beside its STOCK_CHANGED.
    StockOut,
    /// A variant someone asked to hear about is available again.
    BackInStock,
    CustomerCreated,
    /// A cart with an email and lines was left untouched.
    CartAbandoned,
}

impl WebhookTopic {
    pub const ALL: [WebhookTopic; 17] = [
        Self::OrderCreated,
        Self::OrderPaid,
        Self::OrderUpdated,
        Self::OrderFulfilled,
        Self::OrderCancelled,
        Self::OrderRefunded,
        Self::ReturnRequested,
        Self::ProductCreated,
        Self::ProductUpdated,
        Self::ProductDeleted,
        Self::CategoryUpdated,
        Self::CollectionUpdated,
        Self::StockChanged,
        Self::StockOut,
        Self::BackInStock,
        Self::CustomerCreated,
        Self::CartAbandoned,
    ];

    /// The name on the wire (the body's `topic`) and in `webhooks.topics`: the GraphQL value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderCreated => "ORDER_CREATED",
            Self::OrderPaid => "ORDER_PAID",
            Self::OrderUpdated => "ORDER_UPDATED",
            Self::OrderFulfilled => "ORDER_FULFILLED",
            Self::OrderCancelled => "ORDER_CANCELLED",
            Self::OrderRefunded => "ORDER_REFUNDED",
            Self::ReturnRequested => "RETURN_REQUESTED",
            Self::ProductCreated => "PRODUCT_CREATED",
            Self::ProductUpdated => "PRODUCT_UPDATED",
            Self::ProductDeleted => "PRODUCT_DELETED",
            Self::CategoryUpdated => "CATEGORY_UPDATED",
            Self::CollectionUpdated => "COLLECTION_UPDATED",
            Self::StockChanged => "STOCK_CHANGED",
            Self::StockOut => "STOCK_OUT",
            Self::BackInStock => "BACK_IN_STOCK",
            Self::CustomerCreated => "CUSTOMER_CREATED",
            Self::CartAbandoned => "CART_ABANDONED",
        }
    }
}

impl FromStr for WebhookTopic {
    type Err = ();

    fn from_str(name: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|t| t.as_str() == name).ok_or(())
    }
}

/// One message an event makes: its id (the `webhook-id` header) and topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    pub id: Uuid,
    pub topic: WebhookTopic,
}

/// The messages `event` makes for webhooks; none for events only the server itself follows
/// (sign-outs) and for resyncs (they restate, nothing happened).
pub fn messages(event: &DomainEvent) -> Vec<Message> {
    let first = |topic| Message {
        id: event.id(),
        topic,
    };
    match event {
        DomainEvent::OrderUpdated(_) => {
            // The outbox topic already names what happened in SPEC's words.
            let topic = event.topic().parse().unwrap_or(WebhookTopic::OrderUpdated);
            vec![first(topic)]
        }
        DomainEvent::StockChanged(update) if update.resync => Vec::new(),
        DomainEvent::StockChanged(update) => {
            let mut messages = vec![first(WebhookTopic::StockChanged)];
            if update.available == 0 {
                messages.push(Message {
                    id: derived_id(event.id(), WebhookTopic::StockOut),
                    topic: WebhookTopic::StockOut,
                });
            }
            messages
        }
        DomainEvent::CatalogChanged(change) => match change.kind() {
            CatalogChangeKind::ProductCreated => vec![first(WebhookTopic::ProductCreated)],
            CatalogChangeKind::ProductUpdated => vec![first(WebhookTopic::ProductUpdated)],
            CatalogChangeKind::ProductDeleted => vec![first(WebhookTopic::ProductDeleted)],
            CatalogChangeKind::CategoryUpdated => vec![first(WebhookTopic::CategoryUpdated)],
            // No webhook topic names collections yet; the event only invalidates caches.
            CatalogChangeKind::CollectionUpdated => Vec::new(),
        },
        DomainEvent::BackInStock(_) => vec![first(WebhookTopic::BackInStock)],
        DomainEvent::CartAbandoned(_) => vec![first(WebhookTopic::CartAbandoned)],
        DomainEvent::CustomerCreated(_) => vec![first(WebhookTopic::CustomerCreated)],
        // No content topics yet.
        DomainEvent::SessionRevoked(_)
        | DomainEvent::ContentChanged(_)
        | DomainEvent::ShippingChanged(_) => Vec::new(),
    }
}

/// The id of a second message of event `event_id`: the same for every relay pass (so a
/// repeated pass queues nothing twice), never another event's (a version-8 UUID, where event
/// ids are version 7), and different per topic.
fn derived_id(event_id: Uuid, topic: WebhookTopic) -> Uuid {
    let mut bytes = *event_id.as_bytes();
    // Any fixed, topic-specific pattern works: the mapping only has to be one-to-one.
    let salt = (topic as u8).wrapping_add(1);
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte ^= salt.rotate_left(i as u32 % 8);
    }
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::events::CatalogChange;
    use crate::inventory::events::StockUpdate;
    use crate::orders::events::OrderUpdate;
    use entities::enums::{OrderEventKind, OrderStatus};

    fn stock(available: i32) -> DomainEvent {
        DomainEvent::StockChanged(StockUpdate {
            event_id: Uuid::now_v7(),
            variant_uuid: Uuid::nil(),
            product_uuid: Uuid::nil(),
            sku: "SKU".into(),
            available,
            in_stock: available > 0,
            occurred_at: chrono::Utc::now(),
            resync: false,
            low_stock_threshold: None,
            was_in_stock: None,
        })
    }

    #[test]
    fn every_graphql_value_is_named_once() {
        for topic in WebhookTopic::ALL {
            assert_eq!(topic.as_str().parse(), Ok(topic));
        }
        let names: std::collections::HashSet<_> =
            WebhookTopic::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names.len(), WebhookTopic::ALL.len());
    }

    #[test]
    fn a_variant_running_out_makes_a_second_message_with_a_stable_id_of_its_own() {
        let event = stock(0);
        let messages = messages(&event);
        let topics: Vec<_> = messages.iter().map(|m| m.topic).collect();
        assert_eq!(topics, [WebhookTopic::StockChanged, WebhookTopic::StockOut]);
        assert_eq!(messages[0].id, event.id());
        assert_ne!(messages[1].id, event.id());
        assert_eq!(messages[1].id.get_version_num(), 8);
        assert_eq!(super::messages(&event), messages, "the same ids every pass");
        assert_eq!(super::messages(&stock(3)).len(), 1);
    }

    #[test]
    fn orders_are_filed_under_their_outbox_topic() {
        let order = |kind| {
            DomainEvent::OrderUpdated(OrderUpdate {
                event_id: Uuid::now_v7(),
                order_id: Uuid::nil(),
                customer_id: None,
                status: OrderStatus::Paid,
                payment_status: None,
                kind,
                occurred_at: chrono::Utc::now(),
            })
        };
        let topic = |kind| messages(&order(kind))[0].topic;
        assert_eq!(
            topic(Some(OrderEventKind::Placed)),
            WebhookTopic::OrderCreated
        );
        assert_eq!(topic(Some(OrderEventKind::Paid)), WebhookTopic::OrderPaid);
        assert_eq!(
            topic(Some(OrderEventKind::TrackingUpdated)),
            WebhookTopic::OrderUpdated
        );
        assert_eq!(topic(None), WebhookTopic::OrderUpdated);
    }

    #[test]
    fn catalog_changes_are_filed_by_kind() {
        let created = DomainEvent::CatalogChanged(CatalogChange::product(
            CatalogChangeKind::ProductCreated,
            Uuid::nil(),
            "s",
        ));
        assert_eq!(messages(&created)[0].topic, WebhookTopic::ProductCreated);
        let category =
            DomainEvent::CatalogChanged(CatalogChange::category(Uuid::nil(), "c", Vec::new()));
        assert_eq!(messages(&category)[0].topic, WebhookTopic::CategoryUpdated);
    }
}
