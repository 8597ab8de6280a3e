//! The results: one row per scenario (throughput, latency percentiles, errors and what is
//! particular to the scenario) and the SQL statements per operation, as tables on stdout and,
//! with `--json FILE`, as one JSON document.

use crate::load::{Measured, Model};
use crate::scenarios::StatementCount;
use hdrhistogram::Histogram;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::fmt::Write as _;
use std::path::Path;

/// Latency percentiles in milliseconds.
#[derive(Serialize, Clone, Copy, Debug, Default)]
pub struct Latency {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    /// From a histogram of microseconds.
    pub fn of(histogram: &Histogram<u64>) -> Self {
        let ms = |us: u64| round(us as f64 / 1000.0, 3);
        Self {
            p50: ms(histogram.value_at_quantile(0.50)),
            p95: ms(histogram.value_at_quantile(0.95)),
            p99: ms(histogram.value_at_quantile(0.99)),
            max: ms(histogram.max()),
        }
    }

    fn json(self) -> Value {
        json!(self)
    }
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// One scenario's results.
#[derive(Serialize, Debug)]
pub struct ScenarioReport {
    pub name: String,
    /// `closed`, `open` or `fanout`.
    pub model: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<usize>,
    /// Open loop: iterations started per second; fan-out: stock changes per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Length of the measured phase.
    pub duration_s: f64,
    pub requests: u64,
    pub rps: f64,
    pub latency_ms: Latency,
    pub errors: u64,
    /// What is particular to the scenario.
    pub extra: Map<String, Value>,
    /// A short summary of `extra` for the table.
    #[serde(skip)]
    pub notes: Vec<String>,
}

impl ScenarioReport {
    /// The report of a load-driver run (every scenario but `fanout`).
    pub fn from_measured(name: &str, model: Model, measured: &Measured) -> Self {
        let stats = &measured.stats;
        let seconds = measured.elapsed.as_secs_f64().max(f64::EPSILON);
        let per_second = |n: u64| round(n as f64 / seconds, 2);
        let mut extra = Map::new();
        let mut notes = Vec::new();
        if stats.operations.len() > 1 {
            extra.insert("iterations".into(), json!(stats.iterations));
            extra.insert(
                "iterations_per_s".into(),
                json!(per_second(stats.iterations)),
            );
            let iteration = Latency::of(&stats.iteration_latency);
            extra.insert("iteration_latency_ms".into(), iteration.json());
            notes.push(format!(
                "{:.1} it/s, it p50/p99 {:.1}/{:.1} ms",
                per_second(stats.iterations),
                iteration.p50,
                iteration.p99
            ));
            let operations: Map<String, Value> = stats
                .operations
                .iter()
                .map(|(op, histogram)| {
                    let latency = Latency::of(histogram);
                    let entry = json!({ "requests": histogram.len(), "latency_ms": latency });
                    ((*op).to_owned(), entry)
                })
                .collect();
            extra.insert("operations".into(), Value::Object(operations));
        }
        let mut counts = stats.counts.clone();
        for what in measured.counters {
            counts.entry(what).or_default();
        }
        for (what, n) in &counts {
            extra.insert((*what).to_owned(), json!(n));
            if *what == "orders" {
                extra.insert("orders_per_s".into(), json!(per_second(*n)));
                notes.push(format!("{n} orders ({:.1}/s)", per_second(*n)));
            } else {
                notes.push(format!("{what} {n}"));
            }
        }
        if let Model::Open { max_in_flight, .. } = model {
            let lag = Latency::of(&stats.schedule_lag);
            extra.insert("schedule_lag_ms".into(), lag.json());
            extra.insert("max_in_flight".into(), json!(max_in_flight));
            extra.insert("throttled".into(), json!(stats.throttled));
            extra.insert("unsent".into(), json!(stats.unsent));
            notes.push(format!("start lag p99 {:.2} ms", lag.p99));
            if stats.throttled > 0 || stats.unsent > 0 {
                notes.push(format!(
                    "in-flight cap hit {} times, {} never sent",
                    stats.throttled, stats.unsent
                ));
            }
        }
        let (model_name, concurrency, rate) = match model {
            Model::Closed { concurrency } => ("closed", Some(concurrency), None),
            Model::Open { rate, .. } => ("open", None, Some(rate)),
        };
        Self {
            name: name.to_owned(),
            model: model_name,
            concurrency,
            rate,
            duration_s: round(seconds, 3),
            requests: stats.requests,
            rps: per_second(stats.requests),
            latency_ms: Latency::of(&stats.latency),
            errors: stats.errors,
            extra,
            notes,
        }
    }

    fn load(&self) -> String {
        match (self.model, self.concurrency, self.rate) {
            ("closed", Some(c), _) => format!("closed c={c}"),
            ("open", _, Some(r)) => format!("open {r}/s"),
            ("fanout", _, Some(r)) => format!("{r} changes/s"),
            (model, _, _) => model.to_owned(),
        }
    }
}

/// The scenario table.
pub fn table(reports: &[ScenarioReport]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<9} {:<15} {:>6} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>6}  notes",
        "scenario",
        "load",
        "time",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "errors"
    );
    for r in reports {
        let _ = writeln!(
            out,
            "{:<9} {:<15} {:>5.1}s {:>9} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>6}  {}",
            r.name,
            r.load(),
            r.duration_s,
            r.requests,
            r.rps,
            r.latency_ms.p50,
            r.latency_ms.p95,
            r.latency_ms.p99,
            r.latency_ms.max,
            r.errors,
            r.notes.join("; ")
        );
    }
    if reports.iter().any(|r| r.model == "fanout") {
        let _ = writeln!(
            out,
            "fanout: requests are stockAdjust changes; latency is each subscriber's delay from \
             sending the change to receiving its event"
        );
    }
    out
}

/// The SQL statements table.
pub fn statements_table(counts: &[StatementCount]) -> String {
    let mut out = String::from(
        "SQL statements per operation (x-sql-statements, warm, computed: Cache-Control: no-cache)\n",
    );
    for entry in counts {
        let count = entry
            .count
            .map_or_else(|| "n/a".to_owned(), |n| n.to_string());
        let refused = entry.refused.as_ref().map_or_else(String::new, |codes| {
            format!("  (refused: {codes}; a refusal's count, not a success's)")
        });
        let _ = writeln!(out, "  {:<18} {count:>4}{refused}", entry.op);
    }
    if counts.iter().any(|entry| entry.count.is_none()) {
        out.push_str("  (n/a: the server sends the header only outside production mode)\n");
    }
    out
}

/// The JSON document (serialized from structs, so fields keep this order).
#[derive(Serialize)]
struct Document<'a> {
    target: &'a str,
    /// With --start: what the bench set up.
    server: Option<&'a str>,
    scenarios: &'a [ScenarioReport],
    sql_statements: Counts<'a>,
    /// Operations that were refused while counting (`{ "checkoutComplete": "OUT_OF_STOCK" }`).
    #[serde(skip_serializing_if = "Refusals::is_empty")]
    sql_statements_refused: Refusals<'a>,
}

/// `{ "listing": 8, … }` in the order measured.
struct Counts<'a>(&'a [StatementCount]);

impl Serialize for Counts<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|entry| (entry.op, entry.count)))
    }
}

struct Refusals<'a>(&'a [StatementCount]);

impl Refusals<'_> {
    fn is_empty(&self) -> bool {
        self.0.iter().all(|entry| entry.refused.is_none())
    }
}

impl Serialize for Refusals<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.0
                .iter()
                .filter_map(|entry| Some((entry.op, entry.refused.as_ref()?))),
        )
    }
}

/// Writes the JSON document: the target, the scenarios, the SQL statement counts.
pub fn write_json(
    path: &Path,
    target: &str,
    server: Option<&str>,
    reports: &[ScenarioReport],
    statements: &[StatementCount],
) -> anyhow::Result<()> {
    let document = Document {
        target,
        server,
        scenarios: reports,
        sql_statements: Counts(statements),
        sql_statements_refused: Refusals(statements),
    };
    let text = serde_json::to_string_pretty(&document)?;
    std::fs::write(path, text + "\n")
        .map_err(|err| anyhow::anyhow!("writing {}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Stats, histogram};
    use std::time::Duration;

    #[test]
    fn percentiles_are_milliseconds() -> anyhow::Result<()> {
        let mut h = histogram()?;
        for us in 1..=1000 {
            h.record(us * 10)?;
        }
        let latency = Latency::of(&h);
        assert!((latency.p50 - 5.0).abs() < 0.01, "{latency:?}");
        assert!((latency.max - 10.0).abs() < 0.01, "{latency:?}");
        Ok(())
    }

    #[test]
    fn renders_a_run() -> anyhow::Result<()> {
        let mut stats = Stats::new()?;
        stats.requests = 100;
        stats.latency.record(2_000)?;
        stats.counts.insert("orders", 50);
        let measured = Measured {
            stats,
            counters: &["orders", "out_of_stock"],
            elapsed: Duration::from_secs(10),
        };
        let report =
            ScenarioReport::from_measured("checkout", Model::Closed { concurrency: 4 }, &measured);
        assert_eq!(report.rps, 10.0);
        assert_eq!(report.extra["orders_per_s"], json!(5.0));
        let text = table(&[report]);
        assert!(text.contains("closed c=4"), "{text}");
        assert!(text.contains("50 orders (5.0/s)"), "{text}");
        assert!(text.contains("out_of_stock 0"), "{text}");
        let sql = statements_table(&[
            StatementCount {
                op: "listing",
                count: Some(3),
                refused: None,
            },
            StatementCount {
                op: "checkoutComplete",
                count: None,
                refused: Some("OUT_OF_STOCK".into()),
            },
        ]);
        assert!(sql.contains("listing") && sql.contains("n/a"), "{sql}");
        assert!(sql.contains("refused: OUT_OF_STOCK"), "{sql}");
        Ok(())
    }
}
