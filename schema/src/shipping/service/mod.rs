//! Shipping rules: which methods serve a cart (`rates`), and what a valid zone
//! (`zones`) or method (`methods`) is.

pub mod cache;
pub mod methods;
pub mod rates;
pub mod zones;

use crate::events::DomainEvent;
use crate::shipping::events::ShippingChange;
use crate::unit_of_work::Write;
use uuid::Uuid;

/// Records that zone or method `id` changed, so every replica drops the configuration it
/// holds (`cache`) when the event reaches it.
fn changed(write: &mut Write, id: Uuid) {
    write.record(DomainEvent::ShippingChanged(ShippingChange::new(id)));
}

/// Most zones and most methods per zone: shipping configuration is read whole for every cart
/// view, so it must stay small.
pub const MAX_ZONES: u64 = 100;
pub const MAX_METHODS_PER_ZONE: u64 = 20;
