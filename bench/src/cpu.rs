//! CPU time spent by the server and by PostgreSQL during a measured phase, read from
//! `/proc` (Linux; the server and the database on this machine). Divided by the requests (and
//! orders) of the phase, it says what one operation costs each side — the figure that tells
//! whether the server or the database is the limit when both share the cores.

use serde_json::{Map, Value, json};

/// Whose CPU time to read.
#[derive(Clone, Copy, Debug, Default)]
pub struct Probe {
    /// The server the bench started.
    pub server: Option<u32>,
    /// Sum every process named `postgres` (the bench was given a PostgreSQL database).
    pub postgres: bool,
}

/// CPU time read at one moment, in clock ticks, and the server's memory then.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    server: Option<u64>,
    postgres: Option<u64>,
    /// The server's resident memory (`VmRSS`) and its peak so far (`VmHWM`), in KiB.
    server_memory: Option<(u64, u64)>,
}

impl Probe {
    pub fn sample(&self) -> Sample {
        Sample {
            server: self.server.and_then(|pid| ticks_of(&pid.to_string())),
            postgres: self.postgres.then(postgres_ticks),
            server_memory: self.server.and_then(memory_of),
        }
    }
}

impl Sample {
    /// Adds `<side>_cpu_ms` and `<side>_cpu_ms_per_request` (and `…_per_order` when there
    /// were orders) for the time between `self` and `later`, with a note for the table.
    pub fn record(
        &self,
        later: &Sample,
        requests: u64,
        orders: Option<u64>,
        extra: &mut Map<String, Value>,
        notes: &mut Vec<String>,
    ) {
        if let Some((resident, peak)) = later.server_memory {
            let mib = |kib: u64| round(kib as f64 / 1024.0);
            extra.insert("server_rss_mib".into(), json!(mib(resident)));
            // The peak since the server started: over every scenario run so far.
            extra.insert("server_peak_rss_mib".into(), json!(mib(peak)));
            notes.push(format!(
                "server RSS {:.0} MiB (peak {:.0})",
                mib(resident),
                mib(peak)
            ));
        }
        let tick_ms = 1000.0 / ticks_per_second();
        for (side, before, after) in [
            ("server", self.server, later.server),
            ("postgres", self.postgres, later.postgres),
        ] {
            let (Some(before), Some(after)) = (before, after) else {
                continue;
            };
            let ms = after.saturating_sub(before) as f64 * tick_ms;
            extra.insert(format!("{side}_cpu_ms"), json!(round(ms)));
            if requests > 0 {
                let per_request = ms / requests as f64;
                extra.insert(
                    format!("{side}_cpu_ms_per_request"),
                    json!(round(per_request)),
                );
                notes.push(format!("{side} CPU {per_request:.2} ms/req"));
            }
            if let Some(orders) = orders.filter(|n| *n > 0) {
                let per_order = ms / orders as f64;
                extra.insert(format!("{side}_cpu_ms_per_order"), json!(round(per_order)));
                notes.push(format!("{side} CPU {per_order:.1} ms/order"));
            }
        }
    }
}

fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn ticks_per_second() -> f64 {
    rustix::param::clock_ticks_per_second() as f64
}

/// Resident memory and its high-water mark of process `pid`, in KiB.
fn memory_of(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// utime + stime of a process (`/proc/<pid>/stat`, fields 14 and 15), in clock ticks.
fn ticks_of(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_ticks(&stat).map(|(_, ticks)| ticks)
}

/// The command name and utime + stime of one `/proc/<pid>/stat` line.
fn parse_ticks(stat: &str) -> Option<(&str, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?;
    // After the name: state (field 3) is the first; utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

/// Every `postgres` process's CPU time, summed (backends come and go with connections; the
/// pool keeps them during a phase).
fn postgres_ticks() -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter_map(|stat| {
            let (name, ticks) = parse_ticks(&stat)?;
            (name == "postgres").then_some(ticks)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_name_and_cpu_time_of_a_stat_line() {
        let line = "4242 (postgres) S 1 4242 4242 0 -1 4194560 1 0 0 0 120 30 0 0 20 0 1 0 5 0 0";
        assert_eq!(parse_ticks(line), Some(("postgres", 150)));
        let odd = "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 5 0 0";
        assert_eq!(parse_ticks(odd), Some(("a (b) c", 11)));
    }

    #[test]
    fn the_bench_sees_its_own_cpu_time_grow() {
        let me = std::process::id();
        let probe = Probe {
            server: Some(me),
            postgres: false,
        };
        let before = probe.sample();
        let mut x = 0u64;
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_millis(300) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        let after = probe.sample();
        let (mut extra, mut notes) = (Map::new(), Vec::new());
        before.record(&after, 10, None, &mut extra, &mut notes);
        let ms = extra["server_cpu_ms"].as_f64().unwrap_or(0.0);
        assert!(ms >= 100.0, "{extra:?}");
        assert!(
            notes.iter().any(|note| note.starts_with("server CPU")),
            "{notes:?}"
        );
        // Its memory is read too: resident now, and a peak at least as high.
        let resident = extra["server_rss_mib"].as_f64().unwrap_or(0.0);
        let peak = extra["server_peak_rss_mib"].as_f64().unwrap_or(0.0);
        assert!(resident > 0.0 && peak >= resident, "{extra:?}");
    }
}
