//! A circuit breaker for a backing service the API can work without (Redis).
//!
//! Closed: every call goes through. The first call that finds the service unreachable opens
//! the circuit: for a cool-down, calls are refused at once and their callers take their
//! in-process path instead of waiting on a dead connection. After the cool-down one call is
//! let through as a probe (half-open); its success closes the circuit, its failure opens it
//! for another cool-down. Only state changes are logged, never individual refusals, so an
//! outage costs two log lines rather than one per request.

use std::fmt::Display;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Counters for `/metrics` (plain atomics: the domain crate has no metrics library).
#[derive(Debug, Default)]
pub struct BreakerStats {
    open: AtomicBool,
    opened: AtomicU64,
    refused: AtomicU64,
    failures: AtomicU64,
}

/// A point-in-time copy of [`BreakerStats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BreakerCounts {
    /// Whether calls are being refused now (open or half-open).
    pub open: bool,
    /// Times the circuit opened.
    pub opened: u64,
    /// Calls refused while open: each one took the in-process path.
    pub refused: u64,
    /// Calls that failed because the service was unreachable or too slow.
    pub failures: u64,
}

impl BreakerStats {
    pub fn snapshot(&self) -> BreakerCounts {
        BreakerCounts {
            open: self.open.load(Ordering::Relaxed),
            opened: self.opened.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Closed,
    /// Refusing calls until `probe_at`.
    Open {
        probe_at: Instant,
    },
    /// One call is probing; others are refused until it reports or `until` passes (a probe
    /// whose request was cancelled never reports).
    Probing {
        until: Instant,
    },
}

pub struct CircuitBreaker {
    /// The service's name, for log lines.
    service: &'static str,
    cool_down: Duration,
    /// How long a probe may take before another call may probe.
    probe_timeout: Duration,
    state: Mutex<State>,
    stats: Arc<BreakerStats>,
}

impl CircuitBreaker {
    pub fn new(service: &'static str, cool_down: Duration, probe_timeout: Duration) -> Self {
        Self {
            service,
            cool_down,
            probe_timeout,
            state: Mutex::new(State::Closed),
            stats: Arc::default(),
        }
    }

    pub fn stats(&self) -> &Arc<BreakerStats> {
        &self.stats
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a plain value: a panic elsewhere cannot leave it half-written.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether a call may go to the service now. `false`: take the fallback path.
    pub fn admit(&self) -> bool {
        let now = Instant::now();
        let mut state = self.state();
        let admitted = match *state {
            State::Closed => true,
            State::Open { probe_at } if now >= probe_at => {
                *state = State::Probing {
                    until: now + self.probe_timeout,
                };
                true
            }
            State::Probing { until } if now >= until => {
                *state = State::Probing {
                    until: now + self.probe_timeout,
                };
                true
            }
            State::Open { .. } | State::Probing { .. } => false,
        };
        if !admitted {
            self.stats.refused.fetch_add(1, Ordering::Relaxed);
        }
        admitted
    }

    /// An admitted call reached the service (even if the service answered with an error).
    pub fn succeeded(&self) {
        let mut state = self.state();
        if *state != State::Closed {
            *state = State::Closed;
            self.stats.open.store(false, Ordering::Relaxed);
            tracing::info!(
                service = self.service,
                "{} answers again: circuit closed, shared state in use again",
                self.service
            );
        }
    }

    /// An admitted call found the service unreachable or too slow.
    pub fn failed(&self, reason: &dyn Display) {
        self.stats.failures.fetch_add(1, Ordering::Relaxed);
        let probe_at = Instant::now() + self.cool_down;
        let mut state = self.state();
        match *state {
            State::Closed => {
                self.stats.opened.fetch_add(1, Ordering::Relaxed);
                self.stats.open.store(true, Ordering::Relaxed);
                tracing::warn!(
                    service = self.service,
                    error = %reason,
                    cool_down_ms = self.cool_down.as_millis() as u64,
                    "{} unreachable: circuit open, using in-process fallbacks until a probe succeeds",
                    self.service
                );
            }
            State::Probing { .. } => {
                tracing::debug!(service = self.service, error = %reason, "probe failed; circuit stays open");
            }
            // A call admitted before the circuit opened; the cool-down already runs.
            State::Open { .. } => return,
        }
        *state = State::Open { probe_at };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_on_failure_probes_after_the_cool_down_and_closes_on_success() {
        let breaker = CircuitBreaker::new(
            "test",
            Duration::from_millis(40),
            Duration::from_millis(500),
        );
        assert!(breaker.admit());
        breaker.failed(&"refused");
        assert!(!breaker.admit(), "open: refused at once");
        assert!(breaker.stats().snapshot().open);
        std::thread::sleep(Duration::from_millis(50));
        assert!(breaker.admit(), "after the cool-down one call probes");
        assert!(!breaker.admit(), "only one probe at a time");
        breaker.failed(&"still refused");
        assert!(!breaker.admit(), "a failed probe opens the circuit again");
        std::thread::sleep(Duration::from_millis(50));
        assert!(breaker.admit());
        breaker.succeeded();
        assert!(
            breaker.admit() && breaker.admit(),
            "closed: every call goes"
        );
        let counts = breaker.stats().snapshot();
        assert!(!counts.open);
        assert_eq!(counts.opened, 1, "one outage, however many probes");
        assert_eq!(counts.failures, 2);
        assert_eq!(counts.refused, 3);
    }

    #[test]
    fn a_probe_that_never_reports_is_replaced() {
        let breaker = CircuitBreaker::new("test", Duration::ZERO, Duration::from_millis(20));
        breaker.failed(&"refused");
        assert!(breaker.admit());
        assert!(!breaker.admit());
        std::thread::sleep(Duration::from_millis(30));
        assert!(breaker.admit(), "the silent probe's time is up");
    }
}
