//! Payment providers: the adapters that move money (`manual`, `test`, `stripe`). They talk
//! to the outside world and never touch the database; the order services decide what to ask
//! them and record the answers through the order process table.

pub mod manual;
pub mod provider;
pub mod stripe;
pub mod test_provider;

pub use provider::{
    Authorized, CaptureMode, Done, NextAction, Operation, Outcome, PaymentProvider, PaymentRequest,
};

use std::collections::HashMap;
use std::sync::Arc;

/// The providers this server accepts, by name, and how checkout captures.
#[derive(Clone)]
pub struct PaymentProviders {
    providers: HashMap<&'static str, Arc<dyn PaymentProvider>>,
    capture: CaptureMode,
}

impl Default for PaymentProviders {
    fn default() -> Self {
        let mut providers = Self {
            providers: HashMap::new(),
            capture: CaptureMode::Automatic,
        };
        providers.add(Arc::new(manual::ManualProvider));
        providers.add(Arc::new(test_provider::TestProvider::default()));
        providers
    }
}

impl PaymentProviders {
    /// Adds (or replaces) a provider under its name.
    pub fn add(&mut self, provider: Arc<dyn PaymentProvider>) {
        self.providers.insert(provider.name(), provider);
    }

    /// Stops accepting the provider `name` (the test provider in production).
    pub fn remove(&mut self, name: &str) {
        self.providers.remove(name);
    }

    pub fn with_capture(mut self, capture: CaptureMode) -> Self {
        self.capture = capture;
        self
    }

    pub fn capture(&self) -> CaptureMode {
        self.capture
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn PaymentProvider>> {
        self.providers.get(name).cloned()
    }

    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.providers.keys().copied().collect();
        names.sort_unstable();
        names
    }
}
