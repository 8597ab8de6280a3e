//! `--compare BEFORE.json AFTER.json`: two runs' results side by side, scenario by scenario
//! (throughput, p50/p99 latency, errors, orders per second where there are orders) and the
//! SQL statements per operation, so a change's effect is read off one table rather than two
//! reports.

use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// The comparison of the runs written to `before` and `after` (`--json` files).
pub fn compare_files(before: &Path, after: &Path) -> anyhow::Result<String> {
    let read = |path: &Path| -> anyhow::Result<Value> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| anyhow::anyhow!("reading {}: {err}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|err| anyhow::anyhow!("{} is not a bench result: {err}", path.display()))
    };
    Ok(compare(&read(before)?, &read(after)?))
}

/// The table comparing two result documents.
pub fn compare(before: &Value, after: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12} {:>10} {:>10} {:>8} {:>18} {:>18} {:>13}",
        "scenario",
        "rps before",
        "rps after",
        "×",
        "p50 ms (b → a)",
        "p99 ms (b → a)",
        "errors (b→a)"
    );
    for scenario in names(before, after) {
        let (b, a) = (find(before, &scenario), find(after, &scenario));
        let rps = |s: Option<&Value>| s.and_then(|s| s["rps"].as_f64());
        let latency = |s: Option<&Value>, p: &str| s.and_then(|s| s["latency_ms"][p].as_f64());
        let errors = |s: Option<&Value>| s.and_then(|s| s["errors"].as_u64());
        let _ = writeln!(
            out,
            "{:<12} {:>10} {:>10} {:>8} {:>18} {:>18} {:>13}",
            scenario,
            number(rps(b), 1),
            number(rps(a), 1),
            ratio(rps(b), rps(a)),
            pair(latency(b, "p50"), latency(a, "p50")),
            pair(latency(b, "p99"), latency(a, "p99")),
            format!("{}→{}", count(errors(b)), count(errors(a))),
        );
        let orders = |s: Option<&Value>| s.and_then(|s| s["extra"]["orders_per_s"].as_f64());
        if orders(b).is_some() || orders(a).is_some() {
            let _ = writeln!(
                out,
                "{:<12} orders/s {} → {} ({})",
                "",
                number(orders(b), 1),
                number(orders(a), 1),
                ratio(orders(b), orders(a))
            );
        }
        // The server's memory: resident at the end of a closed or open run, the most read
        // during a fan-out's deliveries.
        let memory = |s: Option<&Value>| {
            let rss = &s?["extra"]["server_rss_mib"];
            rss.as_f64().or_else(|| rss["during_max"].as_f64())
        };
        if memory(b).is_some() || memory(a).is_some() {
            let _ = writeln!(
                out,
                "{:<12} server RSS MiB {} → {}",
                "",
                number(memory(b), 0),
                number(memory(a), 0)
            );
        }
    }
    let statements = statement_rows(before, after);
    if !statements.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<40} {:>8} {:>8}",
            "SQL statements per operation", "before", "after"
        );
        for (operation, b, a) in statements {
            let _ = writeln!(out, "{operation:<40} {:>8} {:>8}", count(b), count(a));
        }
    }
    out
}

/// Scenario names in the order of `before`, then those only `after` has.
fn names(before: &Value, after: &Value) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for document in [before, after] {
        for scenario in document["scenarios"].as_array().into_iter().flatten() {
            if let Some(name) = scenario["name"].as_str()
                && !names.iter().any(|n| n == name)
            {
                names.push(name.to_owned());
            }
        }
    }
    names
}

fn find<'a>(document: &'a Value, name: &str) -> Option<&'a Value> {
    document["scenarios"]
        .as_array()?
        .iter()
        .find(|s| s["name"] == name)
}

fn statement_rows(before: &Value, after: &Value) -> Vec<(String, Option<u64>, Option<u64>)> {
    let mut operations: Vec<String> = Vec::new();
    for document in [before, after] {
        if let Some(counts) = document["sql_statements"].as_object() {
            for operation in counts.keys() {
                if !operations.contains(operation) {
                    operations.push(operation.clone());
                }
            }
        }
    }
    operations
        .into_iter()
        .map(|op| {
            let b = before["sql_statements"][&op].as_u64();
            let a = after["sql_statements"][&op].as_u64();
            (op, b, a)
        })
        .collect()
}

fn number(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.decimals$}"))
}

fn count(value: Option<u64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

fn pair(before: Option<f64>, after: Option<f64>) -> String {
    format!("{} → {}", number(before, 1), number(after, 1))
}

/// How many times the after figure is the before one.
fn ratio(before: Option<f64>, after: Option<f64>) -> String {
    match (before, after) {
        (Some(b), Some(a)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(rps: f64, p99: f64, orders: Option<f64>, statements: u64) -> Value {
        let mut extra = json!({});
        if let Some(orders) = orders {
            extra = json!({ "orders_per_s": orders });
        }
        json!({
            "target": "http://127.0.0.1:8000",
            "scenarios": [
                { "name": "listing", "rps": rps, "errors": 0,
                  "latency_ms": { "p50": p99 / 2.0, "p95": p99, "p99": p99, "max": p99 }, "extra": {} },
                { "name": "checkout", "rps": rps / 10.0, "errors": 1,
                  "latency_ms": { "p50": 10.0, "p95": 20.0, "p99": 30.0, "max": 40.0 }, "extra": extra }
            ],
            "sql_statements": { "checkoutComplete": statements }
        })
    }

    #[test]
    fn compares_scenarios_orders_and_statements() {
        let table = compare(
            &run(100.0, 50.0, Some(8.0), 17),
            &run(250.0, 20.0, Some(30.0), 15),
        );
        let listing = table
            .lines()
            .find(|l| l.starts_with("listing"))
            .unwrap_or_default();
        assert!(
            listing.contains("100.0") && listing.contains("250.0"),
            "{table}"
        );
        assert!(listing.contains("2.50×"), "{table}");
        assert!(listing.contains("50.0 → 20.0"), "{table}");
        assert!(table.contains("orders/s 8.0 → 30.0 (3.75×)"), "{table}");
        let statements = table
            .lines()
            .find(|l| l.starts_with("checkoutComplete"))
            .unwrap_or_default();
        assert!(
            statements.contains("17") && statements.contains("15"),
            "{table}"
        );
    }

    #[test]
    fn a_scenario_in_one_run_only_shows_dashes() {
        let mut after = run(1.0, 1.0, None, 1);
        if let Some(scenarios) = after["scenarios"].as_array_mut() {
            scenarios.push(
                json!({ "name": "fanout", "rps": 5.0, "errors": 0, "latency_ms": {}, "extra": {} }),
            );
        }
        let table = compare(&run(1.0, 1.0, None, 1), &after);
        let fanout = table
            .lines()
            .find(|l| l.starts_with("fanout"))
            .unwrap_or_default();
        assert!(fanout.contains('–') && fanout.contains("5.0"), "{table}");
    }

    #[test]
    fn shows_the_servers_memory_of_each_run() {
        let with_memory = |listing: f64, fanout: f64| {
            json!({ "scenarios": [
                { "name": "listing", "rps": 1.0, "errors": 0, "latency_ms": {},
                  "extra": { "server_rss_mib": listing } },
                { "name": "fanout", "rps": 5.0, "errors": 0, "latency_ms": {},
                  "extra": { "server_rss_mib": { "before": 120.0, "after": 140.0, "during_max": fanout } } }
            ] })
        };
        let table = compare(&with_memory(97.0, 163.0), &with_memory(78.0, 149.0));
        assert!(table.contains("server RSS MiB 97 → 78"), "{table}");
        assert!(table.contains("server RSS MiB 163 → 149"), "{table}");
    }
}
