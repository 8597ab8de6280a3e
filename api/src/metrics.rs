//! Prometheus metrics, served at `/metrics`.

use crate::subscription_feeds::SubscriptionFeeds;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use schema::common::circuit_breaker::BreakerStats;
use schema::events::{EventHub, outbox};
use schema::notifications::MailStats;
use schema::response_cache::ResponseCache;
use schema::webhooks::service::WebhookRuntime;
use schema::webhooks::service::deliveries;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

pub struct Metrics {
    // Behind a lock so collectors can join after start-up (the event hub is built after
    // the database connection that already reports here).
    registry: Mutex<Registry>,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<HttpLabels, Histogram>,
    sql_statements: Counter,
    sql_failures: Counter,
    sql_duration: Histogram,
    pub websocket_connections: Gauge,
    /// Set on each scrape from the outbox table.
    pub outbox_pending: Gauge,
    /// Products waiting for the search index (read at scrape time).
    pub search_backlog: Gauge,
    /// Set on each scrape from the mail queue.
    pub mail_backlog: Gauge,
    pub outbox_oldest_pending_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
    /// Webhook deliveries still to be sent, and the age of the oldest (read at scrape time).
    pub webhook_backlog: Gauge,
    pub webhook_oldest_pending_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("shopgraph");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration = Family::<HttpLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        let sql_statements = Counter::default();
        let sql_failures = Counter::default();
        let sql_duration = Histogram::new(exponential_buckets(0.0001, 2.0, 16));
        let websocket_connections = Gauge::default();
        let outbox_pending = Gauge::default();
        let search_backlog = Gauge::default();
        let mail_backlog = Gauge::default();
        registry.register(
            "email_backlog",
            "Emails queued and not yet sent (waiting for their first attempt or a retry)",
            mail_backlog.clone(),
        );
        registry.register(
            "search_queue_products",
            "Products whose search documents wait to be rebuilt",
            search_backlog.clone(),
        );
        let outbox_oldest_pending_seconds = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "outbox_pending_events",
            "Events committed but not yet published by a relay",
            outbox_pending.clone(),
        );
        registry.register(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest unpublished event (0 when none): how far behind the relays are",
            outbox_oldest_pending_seconds.clone(),
        );
        let webhook_backlog = Gauge::default();
        let webhook_oldest_pending_seconds = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "webhook_deliveries_pending",
            "Webhook deliveries not yet delivered nor given up (PENDING or FAILED with a retry due), over all replicas",
            webhook_backlog.clone(),
        );
        registry.register(
            "webhook_oldest_pending_age_seconds",
            "Age of the oldest webhook delivery still to be sent (0 when none): how far behind the receivers are",
            webhook_oldest_pending_seconds.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests answered",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            http_duration.clone(),
        );
        registry.register(
            "sql_statements",
            "SQL statements executed",
            sql_statements.clone(),
        );
        registry.register(
            "sql_statement_failures",
            "SQL statements that failed",
            sql_failures.clone(),
        );
        registry.register(
            "sql_statement_duration_seconds",
            "SQL statement latency",
            sql_duration.clone(),
        );
        registry.register(
            "websocket_connections",
            "Open websocket connections",
            websocket_connections.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            http_requests,
            http_duration,
            sql_statements,
            sql_failures,
            sql_duration,
            websocket_connections,
            outbox_pending,
            search_backlog,
            mail_backlog,
            outbox_oldest_pending_seconds,
            webhook_backlog,
            webhook_oldest_pending_seconds,
        }
    }

    /// Reads the outbox backlog into its gauges. Done at scrape time: the outbox is shared by
    /// every replica, and a scrape every few seconds costs two indexed queries.
    pub async fn refresh_outbox_backlog(&self, db: &sea_orm::DatabaseConnection) {
        match schema::search::queue::backlog(db).await {
            Ok(waiting) => {
                self.search_backlog
                    .set(i64::try_from(waiting).unwrap_or(i64::MAX));
            }
            Err(err) => tracing::warn!(error = %err, "metrics: counting the search queue failed"),
        }
        match schema::notifications::service::queue::backlog(db).await {
            Ok(waiting) => {
                self.mail_backlog
                    .set(i64::try_from(waiting).unwrap_or(i64::MAX));
            }
            Err(err) => tracing::warn!(error = %err, "metrics: counting queued emails failed"),
        }
        match outbox::pending_count(db).await {
            Ok(pending) => {
                self.outbox_pending
                    .set(i64::try_from(pending).unwrap_or(i64::MAX));
            }
            Err(err) => {
                tracing::warn!(error = %err, "metrics: counting pending outbox events failed")
            }
        }
        match outbox::oldest_pending(db).await {
            Ok(oldest) => {
                self.outbox_oldest_pending_seconds.set(age_seconds(oldest));
            }
            Err(err) => tracing::warn!(error = %err, "metrics: reading the outbox backlog failed"),
        }
        match deliveries::backlog(db).await {
            Ok((pending, oldest)) => {
                self.webhook_backlog
                    .set(i64::try_from(pending).unwrap_or(i64::MAX));
                self.webhook_oldest_pending_seconds.set(age_seconds(oldest));
            }
            Err(err) => tracing::warn!(error = %err, "metrics: reading the webhook backlog failed"),
        }
    }

    /// Exposes this process's webhook delivery attempts by topic and outcome.
    pub fn observe_webhooks(&self, runtime: Arc<WebhookRuntime>) {
        self.registry()
            .register_collector(Box::new(WebhookCollector(runtime)));
    }

    /// Exposes the event hub's counters (relay, Redis bridge, lagging subscribers) and how
    /// many receivers it has.
    pub fn observe_events(&self, hub: Arc<EventHub>, feeds: Arc<SubscriptionFeeds>) {
        self.registry()
            .register_collector(Box::new(EventCollector { hub, feeds }));
    }

    /// Exposes the mail sender's counters.
    pub fn observe_mail(&self, stats: Arc<MailStats>) {
        self.registry()
            .register_collector(Box::new(MailCollector(stats)));
    }

    /// Exposes the Redis circuit breaker's state and counters.
    pub fn observe_redis(&self, stats: Arc<BreakerStats>) {
        self.registry()
            .register_collector(Box::new(RedisCollector(stats)));
    }

    /// Exposes the response cache's counters.
    pub fn observe_response_cache(&self, cache: Arc<ResponseCache>) {
        self.registry()
            .register_collector(Box::new(ResponseCacheCollector(cache)));
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        // A panic while encoding leaves nothing half-written worth refusing to read.
        self.registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn record_http(&self, labels: HttpLabels, elapsed: Duration) {
        self.http_requests.get_or_create(&labels).inc();
        self.http_duration
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    pub fn record_statement(&self, elapsed: Duration, failed: bool) {
        self.sql_statements.inc();
        if failed {
            self.sql_failures.inc();
        }
        self.sql_duration.observe(elapsed.as_secs_f64());
    }

    /// The exposition text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry());
        out
    }
}

/// Seconds since `at` (0 for none).
fn age_seconds(at: Option<chrono::DateTime<chrono::Utc>>) -> f64 {
    at.map_or(0.0, |at| {
        (chrono::Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0
    })
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WebhookLabels {
    topic: &'static str,
    status: &'static str,
}

/// Webhook delivery attempts this process settled, read on each scrape.
struct WebhookCollector(Arc<WebhookRuntime>);

impl std::fmt::Debug for WebhookCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookCollector")
    }
}

impl Collector for WebhookCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let mut family = encoder.encode_descriptor(
            "webhook_deliveries",
            "Webhook delivery attempts this replica made, by topic and the status they left the delivery in (SUCCEEDED, FAILED: a retry is scheduled, GAVE_UP)",
            None,
            prometheus_client::metrics::MetricType::Counter,
        )?;
        for (topic, status, count) in self.0.stats.snapshot() {
            let labels = WebhookLabels { topic, status };
            ConstCounter::new(count).encode(family.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

struct EventCollector {
    hub: Arc<EventHub>,
    feeds: Arc<SubscriptionFeeds>,
}

impl std::fmt::Debug for EventCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventCollector")
    }
}

impl Collector for EventCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        // A feed listens to the hub once for all its followers: counted as its followers.
        // While a new feed is not listening yet, it and its first follower count nothing,
        // so the figure reaches the number of subscriptions only once all of them listen.
        let (feeds, followers) = (self.feeds.live(), self.feeds.followers());
        let listening = (self.hub.subscriber_count() + followers).saturating_sub(feeds);
        let gauges = [
            (
                "event_subscribers",
                "Receivers of this replica's events: live subscriptions plus the server's own listeners",
                listening,
            ),
            (
                "subscription_feeds",
                "Shared subscription executions: one per distinct document and variables",
                feeds,
            ),
            (
                "subscription_feed_followers",
                "Subscriptions following a shared execution",
                followers,
            ),
        ];
        for (name, help, value) in gauges {
            let gauge = ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX));
            let metric = encoder.encode_descriptor(name, help, None, gauge.metric_type())?;
            gauge.encode(metric)?;
        }
        let counts = self.hub.stats().snapshot();
        let counters = [
            (
                "events_relayed",
                "Outbox events this replica's relay published",
                counts.relayed,
            ),
            (
                "outbox_relay_failures",
                "Relay passes that failed (their events stay pending and are retried)",
                counts.relay_failures,
            ),
            (
                "outbox_undecodable_events",
                "Outbox events skipped because this version cannot decode them",
                counts.undecodable,
            ),
            (
                "events_received_from_redis",
                "Events that arrived through the Redis channel",
                counts.received_from_redis,
            ),
            (
                "event_bus_resubscriptions",
                "Times the Redis event subscription was re-established (subscribers resync)",
                counts.redis_resubscriptions,
            ),
            (
                "subscribers_lagged",
                "Subscribers that fell behind the event buffer and were resynced",
                counts.lagged_subscribers,
            ),
        ];
        encode_counters(&mut encoder, &counters)
    }
}

/// The Redis circuit breaker (see `SharedRedis::run`), read on each scrape.
#[derive(Debug)]
struct RedisCollector(Arc<BreakerStats>);

impl Collector for RedisCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let counts = self.0.snapshot();
        let open = ConstGauge::new(i64::from(counts.open));
        let metric = encoder.encode_descriptor(
            "redis_circuit_open",
            "1 while Redis calls are refused after a failure (requests use in-process fallbacks)",
            None,
            open.metric_type(),
        )?;
        open.encode(metric)?;
        let counters = [
            (
                "redis_circuit_opened",
                "Times Redis became unreachable and its circuit opened",
                counts.opened,
            ),
            (
                "redis_calls_refused",
                "Redis calls skipped while the circuit was open (served in process instead)",
                counts.refused,
            ),
            (
                "redis_call_failures",
                "Redis calls that failed or timed out because Redis was unreachable",
                counts.failures,
            ),
        ];
        encode_counters(&mut encoder, &counters)
    }
}

/// The response cache's counters, read on each scrape.
struct ResponseCacheCollector(Arc<ResponseCache>);

impl std::fmt::Debug for ResponseCacheCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseCacheCollector")
    }
}

impl Collector for ResponseCacheCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let stats = &self.0.stats;
        let read = |counter: &std::sync::atomic::AtomicU64| {
            counter.load(std::sync::atomic::Ordering::Relaxed)
        };
        let counters = [
            (
                "response_cache_hits",
                "Anonymous answers served from this replica's response cache",
                read(&stats.hits),
            ),
            (
                "response_cache_shared_hits",
                "Anonymous answers served from the response cache shared through Redis",
                read(&stats.shared_hits),
            ),
            (
                "response_cache_misses",
                "Anonymous requests the response cache could not answer",
                read(&stats.misses),
            ),
            (
                "response_cache_stores",
                "Answers stored in the response cache",
                read(&stats.stores),
            ),
            (
                "response_cache_invalidated",
                "Cached answers dropped because something they showed changed",
                read(&stats.invalidated),
            ),
        ];
        encode_counters(&mut encoder, &counters)
    }
}

/// The mail sender's counters, read on each scrape.
#[derive(Debug)]
struct MailCollector(Arc<MailStats>);

impl Collector for MailCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let counts = self.0.snapshot();
        let counters = [
            (
                "emails_sent",
                "Emails the SMTP server (or the Maildir) took",
                counts.sent,
            ),
            (
                "emails_failed",
                "Emails given up on after their last attempt",
                counts.failed,
            ),
            (
                "email_send_errors",
                "Attempts to send an email that failed (retried until the last)",
                counts.send_errors,
            ),
            (
                "emails_skipped",
                "Emails not sent on purpose (unsubscribed, or undone before they went out)",
                counts.skipped,
            ),
        ];
        encode_counters(&mut encoder, &counters)
    }
}

/// Writes `(name, help, value)` counters read at scrape time.
fn encode_counters(
    encoder: &mut DescriptorEncoder<'_>,
    counters: &[(&str, &str, u64)],
) -> Result<(), std::fmt::Error> {
    for &(name, help, value) in counters {
        let counter = ConstCounter::new(value);
        let metric = encoder.encode_descriptor(name, help, None, counter.metric_type())?;
        counter.encode(metric)?;
    }
    Ok(())
}
