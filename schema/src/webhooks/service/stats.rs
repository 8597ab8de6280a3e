//! This process's delivery counters for `/metrics`: attempts settled, by topic and outcome.
//! Kept here as plain counters (the schema knows nothing of Prometheus); the server's metrics
//! read a snapshot at each scrape.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// The receiver answered 2xx.
    Succeeded,
    /// It failed; another attempt is scheduled.
    Failed,
    /// It failed and was the last of the schedule.
    GaveUp,
}

impl Outcome {
    /// The `status` label (the delivery's status after the attempt).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
            Self::GaveUp => "GAVE_UP",
        }
    }
}

#[derive(Debug, Default)]
pub struct DeliveryStats {
    attempts: Mutex<BTreeMap<(&'static str, Outcome), u64>>,
}

impl DeliveryStats {
    pub fn record(&self, topic: &'static str, outcome: Outcome) {
        // A poisoned lock only means another thread panicked mid-increment: keep counting.
        let mut attempts = self
            .attempts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *attempts.entry((topic, outcome)).or_default() += 1;
    }

    /// `(topic, status, count)` for every pair seen so far.
    pub fn snapshot(&self) -> Vec<(&'static str, &'static str, u64)> {
        let attempts = self
            .attempts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        attempts
            .iter()
            .map(|(&(topic, outcome), &n)| (topic, outcome.as_str(), n))
            .collect()
    }
}
