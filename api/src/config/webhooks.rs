//! Outgoing webhook settings: the SSRF guard, the retry schedule, when a failing webhook is
//! switched off, and how much one process sends at once.

use clap::Args;
use schema::webhooks::service::WebhookSettings;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Webhooks")]
pub struct WebhooksConfig {
    /// Let webhooks target loopback, private, link-local, CGNAT and multicast addresses, and
    /// plain http in production. This turns the SSRF guard off: for tests and for receivers
    /// inside your own network only.
    #[arg(long, env = "WEBHOOK_ALLOW_PRIVATE_NETWORKS")]
    pub webhook_allow_private_networks: bool,

    /// Milliseconds before a failed delivery's first retry; each later wait doubles, up to
    /// 1024 times this, for 15 attempts in all (about 43 hours with the default).
    #[arg(long, env = "WEBHOOK_RETRY_BASE_MS", default_value_t = 30_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_retry_base_ms: u64,

    /// Failed attempts in a row, over all of a webhook's deliveries, that switch it off
    /// (staff switch it on again with `webhookUpdate(active: true)`).
    #[arg(long, env = "WEBHOOK_DISABLE_AFTER_FAILURES", default_value_t = 15,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub webhook_disable_after_failures: u32,

    /// Milliseconds between checks for due deliveries nobody woke this process for
    /// (retries scheduled or asked for on other replicas).
    #[arg(long, env = "WEBHOOK_POLL_MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(10..))]
    pub webhook_poll_ms: u64,

    /// Webhook requests one process has in flight at once.
    #[arg(long, env = "WEBHOOK_CONCURRENCY", default_value_t = 16,
          value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub webhook_concurrency: u64,

    /// Days delivered and given-up deliveries are kept for staff to look at.
    #[arg(long, env = "WEBHOOK_DELIVERY_RETENTION_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub webhook_delivery_retention_days: u64,
}

impl WebhooksConfig {
    /// The schema's settings; `production` requires https targets unless private networks
    /// are allowed.
    pub fn settings(&self, production: bool) -> WebhookSettings {
        WebhookSettings {
            allow_private_networks: self.webhook_allow_private_networks,
            require_https: production,
            retry_base: Duration::from_millis(self.webhook_retry_base_ms),
            disable_after_failures: i32::try_from(self.webhook_disable_after_failures)
                .unwrap_or(i32::MAX),
            poll_interval: Duration::from_millis(self.webhook_poll_ms),
            max_in_flight: usize::try_from(self.webhook_concurrency).unwrap_or(16),
            retention: Duration::from_secs(self.webhook_delivery_retention_days * 24 * 60 * 60),
        }
    }
}
