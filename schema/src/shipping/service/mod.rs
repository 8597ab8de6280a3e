//! Shipping rules: which methods serve a cart (`rates`), and what a valid zone
//! (`zones`) or method (`methods`) is.

pub mod cache;
pub mod methods;
pub mod rates;
pub mod zones;

use crate::error::ApiResult;
use crate::events::DomainEvent;
use crate::shipping::events::ShippingChange;
use crate::unit_of_work::Write;
use cache::ShippingRatesCache;
use uuid::Uuid;

/// Commits a change to zone or method `id`: records `shipping.changed`, so every other
/// replica drops the configuration it holds when the event reaches it, commits, and drops
/// this process's copy (`held`) at once, so its next cart view prices with the change.
async fn commit_change(mut write: Write, id: Uuid, held: &ShippingRatesCache) -> ApiResult<()> {
    write.record(DomainEvent::ShippingChanged(ShippingChange::new(id)));
    write.commit().await?;
    held.invalidate();
    Ok(())
}

/// Most zones and most methods per zone: shipping configuration is read whole for every cart
/// view, so it must stay small.
pub const MAX_ZONES: u64 = 100;
pub const MAX_METHODS_PER_ZONE: u64 = 20;
