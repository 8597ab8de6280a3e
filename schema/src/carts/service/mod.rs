//! Cart rules: who may use a cart, what may go in it, and how it is priced.

pub mod abandoned;
pub mod access;
pub mod checkout_url;
pub mod details;
pub mod lines;
pub mod merge;
pub mod privacy;
pub mod view;

pub use access::reopen;
pub use checkout_url::checkout_url;

use crate::pricing::PricingSettings;
use crate::shipping::service::cache::ShippingRatesCache;
use std::sync::Arc;

/// Cart limits and pricing configuration.
#[derive(Clone, Debug)]
pub struct CartRules {
    /// Most different variants one cart may hold.
    pub max_lines: usize,
    pub pricing: PricingSettings,
    /// The shipping configuration cart views are priced with, as this process holds it (one
    /// per process: the rules are built once and shared).
    pub shipping_rates: Arc<ShippingRatesCache>,
}

impl Default for CartRules {
    fn default() -> Self {
        Self {
            max_lines: 100,
            pricing: PricingSettings::default(),
            shipping_rates: Arc::default(),
        }
    }
}
