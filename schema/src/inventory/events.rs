//! The inventory event: a variant's availability after a change. How events travel is in
//! `crate::events`.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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
    /// True when this update re-states the current availability because the subscriber may
    /// have missed events (it fell behind, or the server lost its event link for a while).
    #[serde(default)]
    pub resync: bool,
    /// The variant's own low-stock threshold, for `lowStock` subscribers.
    #[graphql(skip)]
    #[serde(default)]
    pub low_stock_threshold: Option<i32>,
    /// Whether the variant was in stock before this change, where the writer knew it (a sale
    /// computes the new figure from the locked rows it read); `None` where it did not.
    #[graphql(skip)]
    #[serde(default)]
    pub was_in_stock: Option<bool>,
}

impl StockUpdate {
    /// Whether this change may have flipped the variant between in and out of stock — the
    /// only stock fact the search index keeps (a product is in stock when any variant is), so
    /// the only kind of stock change that needs its product re-indexed. Unknown counts as yes.
    pub fn may_flip_in_stock(&self) -> bool {
        self.was_in_stock != Some(self.in_stock)
    }
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

/// A variant someone asked to hear about (`backInStockSubscribe`) is available again: one per
/// subscription, raised once, then the subscription is done. Outgoing webhooks deliver it as
/// BACK_IN_STOCK and the subscriber gets an email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackInStockNotice {
    pub event_id: Uuid,
    pub subscription_id: Uuid,
    pub variant_uuid: Uuid,
    pub product_uuid: Uuid,
    pub sku: String,
    pub email: String,
    /// Units available when it came back.
    pub available: i32,
    pub occurred_at: DateTime<Utc>,
}
