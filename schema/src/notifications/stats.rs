//! Counters of what the mail sender did, for `/metrics` (read on each scrape). Plain atomics,
//! as `events::stats`, keep the domain crate free of a metrics library.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct MailStats {
    sent: AtomicU64,
    failed: AtomicU64,
    send_errors: AtomicU64,
    skipped: AtomicU64,
}

/// A point-in-time copy of the counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MailCounts {
    /// Mails the SMTP server (or the Maildir) took.
    pub sent: u64,
    /// Mails given up on after their last attempt.
    pub failed: u64,
    /// Attempts that failed (each retried until the last).
    pub send_errors: u64,
    /// Mails not sent on purpose (unsubscribed, or undone before they went out).
    pub skipped: u64,
}

impl MailStats {
    pub fn snapshot(&self) -> MailCounts {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        MailCounts {
            sent: read(&self.sent),
            failed: read(&self.failed),
            send_errors: read(&self.send_errors),
            skipped: read(&self.skipped),
        }
    }

    pub(crate) fn sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn failed(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn send_error(&self) {
        self.send_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn skipped(&self) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
    }
}
