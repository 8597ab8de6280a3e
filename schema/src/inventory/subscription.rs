//! Live stock over websockets.

use super::events::{DomainEvent, StockUpdate};
use crate::common::ids::parse_ids;
use crate::context::ContextExt;
use async_graphql::{Context, ID, Result, Subscription};
use futures_util::Stream;
use std::collections::HashSet;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

#[derive(Default)]
pub struct InventorySubscription;

/// Most ids one `stockChanged` subscription may follow.
const MAX_WATCHED_IDS: usize = 500;

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
            return Err(crate::error::ApiError::bad_input(format!(
                "a subscription may watch at most {MAX_WATCHED_IDS} ids"
            ))
            .into());
        }
        let products: HashSet<_> = parse_ids(&product_ids, "productIds")?.into_iter().collect();
        let variants: HashSet<_> = parse_ids(&variant_ids, "variantIds")?.into_iter().collect();
        let receiver = ctx.state()?.events.subscribe();
        let watch_all = products.is_empty() && variants.is_empty();
        Ok(
            BroadcastStream::new(receiver).filter_map(move |event| match event {
                Ok(DomainEvent::StockChanged(update))
                    if watch_all
                        || products.contains(&update.product_uuid)
                        || variants.contains(&update.variant_uuid) =>
                {
                    Some(update)
                }
                // Lagged receivers skip ahead; events carry absolute quantities, so the next one
                // is correct again.
                _ => None,
            }),
        )
    }
}
