//! The webhook rules: which URLs may be targets (`target`), what a valid webhook is
//! (`manage`), secrets and signatures (`secret`), the message bodies (`payload`), queueing
//! from the outbox (`queue`), the retry schedule (`schedule`), sending (`send`), the worker
//! that claims and settles deliveries (`worker`), and staff's view of deliveries
//! (`deliveries`).

pub mod deliveries;
pub mod manage;
pub mod payload;
pub mod privacy;
pub mod queue;
pub mod schedule;
pub mod secret;
pub mod send;
pub mod stats;
pub mod target;
pub mod worker;

use std::time::Duration;
use tokio::sync::Notify;

/// How webhooks behave in this deployment (`WEBHOOK_*` settings).
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Targets on loopback, private, link-local, CGNAT or multicast addresses are allowed
    /// (and plain http in production): for tests and receivers inside a private network.
    pub allow_private_networks: bool,
    /// Production mode: targets must be https (unless private networks are allowed).
    pub require_https: bool,
    /// The delay before the first retry; each later one doubles (see `schedule`).
    pub retry_base: Duration,
    /// Failed attempts in a row, over all of a webhook's deliveries, that switch it off.
    pub disable_after_failures: i32,
    /// How often the worker looks for due deliveries nobody woke it for (retries scheduled
    /// or asked for on other replicas).
    pub poll_interval: Duration,
    /// Sends in flight at once in this process.
    pub max_in_flight: usize,
    /// How long delivered and given-up deliveries are kept for staff to look at.
    pub retention: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private_networks: false,
            require_https: false,
            retry_base: Duration::from_secs(30),
            disable_after_failures: 15,
            poll_interval: Duration::from_secs(1),
            max_in_flight: 16,
            retention: Duration::from_secs(30 * 24 * 60 * 60),
        }
    }
}

/// What the resolvers, the relay's consumer and this process's delivery worker share.
#[derive(Default)]
pub struct WebhookRuntime {
    /// Wakes the worker: deliveries were queued or made due.
    wake: Notify,
    pub stats: stats::DeliveryStats,
}

impl WebhookRuntime {
    /// Something may be due now: the worker looks at once rather than at its next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }
}

/// Most webhooks a shop may have: every event is queued once per subscribed webhook.
pub const MAX_WEBHOOKS: u64 = 50;
/// How long one attempt may take before it counts as failed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
