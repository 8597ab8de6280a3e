//! Prometheus metrics, served at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<HttpLabels, Histogram>,
    sql_statements: Counter,
    sql_failures: Counter,
    sql_duration: Histogram,
    pub websocket_connections: Gauge,
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
            registry,
            http_requests,
            http_duration,
            sql_statements,
            sql_failures,
            sql_duration,
            websocket_connections,
        }
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
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
