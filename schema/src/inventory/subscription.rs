//! Live stock over websockets: `stockChanged` (anyone) and `lowStock` (staff).
//!
//! Both read the process's event hub. A subscriber that falls behind (its buffer of events
//! overflowed) or whose replica lost the Redis link gets the current availability of what it
//! watches that changed since its last event, flagged `resync: true`, instead of silently
//! missing updates.

use super::events::StockUpdate;
use super::query::STOCK_READERS;
use super::service::availability::{self, Watch};
use crate::common::clock::now;
use crate::common::ids::parse_ids;
use crate::context::{ContextExt, SubscriptionSlot};
use crate::customers::sessions::until_session_ends;
use crate::error::ApiError;
use crate::events::{BusMessage, DomainEvent, EventHub, EventStats};
use async_graphql::{Context, ID, Result, Subscription};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use futures_util::stream::{self, StreamExt};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

#[derive(Default)]
pub struct InventorySubscription;

/// Most ids one `stockChanged` subscription may follow.
const MAX_WATCHED_IDS: usize = 500;

/// Clock difference tolerated between replicas when asking "what changed since".
const RESYNC_MARGIN: chrono::Duration = chrono::Duration::seconds(2);

#[Subscription]
impl InventorySubscription {
    /// Availability changes of the given products and/or variants (all when both are empty).
    async fn stock_changed(
        &self,
        ctx: &Context<'_>,
        product_ids: Option<Vec<ID>>,
        variant_ids: Option<Vec<ID>>,
    ) -> Result<impl Stream<Item = StockUpdate> + use<>> {
        let product_ids = product_ids.unwrap_or_default();
        let variant_ids = variant_ids.unwrap_or_default();
        if product_ids.len() + variant_ids.len() > MAX_WATCHED_IDS {
            return Err(ApiError::bad_input(format!(
                "a subscription may watch at most {MAX_WATCHED_IDS} ids"
            ))
            .into());
        }
        let watch = Watch {
            products: parse_ids(&product_ids, "productIds")?.into_iter().collect(),
            variants: parse_ids(&variant_ids, "variantIds")?.into_iter().collect(),
        };
        let request = ctx.request()?;
        let slot = request.subscription_slot()?;
        let state = ctx.state()?;
        let mut feed = StockFeed::new(&state.events, state.db.clone(), watch, slot);
        if let Some(since) = request.resync_from {
            feed.resync_first(since);
        }
        Ok(feed.into_stream(|_| true))
    }

    /// Staff: variants whose availability fell to or below a threshold — `threshold` when
    /// given, else the variant's own, else the server's `LOW_STOCK_THRESHOLD`. While a
    /// variant stays low, each of its changes is reported. Ends with an `UNAUTHENTICATED`
    /// error when the session the connection signed in with ends.
    async fn low_stock(
        &self,
        ctx: &Context<'_>,
        threshold: Option<i32>,
    ) -> Result<impl Stream<Item = Result<StockUpdate>> + use<>> {
        ctx.request()?.viewer.require_any(STOCK_READERS)?;
        if threshold.is_some_and(|t| t < 0) {
            return Err(ApiError::bad_input("threshold cannot be negative").into());
        }
        let slot = ctx.request()?.subscription_slot()?;
        let state = ctx.state()?;
        let default_threshold = state.settings.low_stock_threshold;
        let feed = StockFeed::new(&state.events, state.db.clone(), Watch::default(), slot);
        let low = feed.into_stream(move |update: &StockUpdate| {
            let limit = threshold
                .or(update.low_stock_threshold)
                .unwrap_or(default_threshold);
            update.available <= limit
        });
        Ok(until_session_ends(low, ctx.request()?.session_end(state)))
    }
}

/// One subscriber's view of the hub: the events it watches, and resyncs when it may have
/// missed some.
struct StockFeed {
    receiver: Receiver<BusMessage>,
    stats: Arc<EventStats>,
    db: DatabaseConnection,
    watch: Watch,
    /// When the subscriber last heard anything: a resync re-states what changed since.
    last_seen: DateTime<Utc>,
    /// Re-state what changed since `last_seen` before the next event.
    resync_pending: bool,
    _slot: Option<SubscriptionSlot>,
}

impl StockFeed {
    fn new(
        hub: &EventHub,
        db: DatabaseConnection,
        watch: Watch,
        slot: Option<SubscriptionSlot>,
    ) -> Self {
        Self {
            receiver: hub.subscribe(),
            stats: hub.stats().clone(),
            db,
            watch,
            last_seen: now(),
            resync_pending: false,
            _slot: slot,
        }
    }

    /// Starts by re-stating what changed since `since` (a subscriber that fell behind on a
    /// shared subscription and continues here).
    fn resync_first(&mut self, since: DateTime<Utc>) {
        self.last_seen = since;
        self.resync_pending = true;
    }

    /// The next batch for the subscriber (one event, or a resync's re-statements); `None`
    /// when the hub is gone (server shutting down).
    async fn next_batch(&mut self) -> Option<Vec<StockUpdate>> {
        if std::mem::take(&mut self.resync_pending) {
            let batch = self.resync().await;
            if !batch.is_empty() {
                return Some(batch);
            }
        }
        loop {
            let message = self.receiver.recv().await;
            match message {
                Ok(BusMessage::Event(DomainEvent::StockChanged(update))) => {
                    if self.watch.matches(&update) {
                        self.last_seen = self.last_seen.max(update.occurred_at);
                        return Some(vec![update]);
                    }
                }
                Ok(BusMessage::Event(_)) => {}
                Ok(BusMessage::Resync) | Err(RecvError::Lagged(_)) => {
                    if matches!(message, Err(RecvError::Lagged(_))) {
                        self.stats.subscriber_lagged();
                    }
                    let batch = self.resync().await;
                    if !batch.is_empty() {
                        return Some(batch);
                    }
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    async fn resync(&mut self) -> Vec<StockUpdate> {
        let since = self.last_seen - RESYNC_MARGIN;
        self.last_seen = now();
        let restated = async {
            let changed = availability::changed_since(&self.db, &self.watch, since).await?;
            availability::current(&self.db, &changed, true).await
        };
        match restated.await {
            Ok(updates) => updates,
            Err(err) => {
                tracing::warn!(error = %err, "stock subscription resync failed");
                Vec::new()
            }
        }
    }

    fn into_stream(
        self,
        keep: impl Fn(&StockUpdate) -> bool + Send + 'static,
    ) -> impl Stream<Item = StockUpdate> {
        stream::unfold(self, |mut feed| async move {
            let batch = feed.next_batch().await?;
            Some((stream::iter(batch), feed))
        })
        .flatten()
        .filter(move |update| std::future::ready(keep(update)))
    }
}
