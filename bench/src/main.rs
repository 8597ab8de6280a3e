//! `shopgraph-bench`: a load benchmark for a shopgraph server.
//!
//! This file is the command line: it parses the options, starts the server when asked
//! (`server`), reads the catalog once, runs each scenario (`scenarios`) under the chosen load
//! model (`load`), counts the SQL statements of each operation, and prints the results
//! (`report`). See `bench/README.md` for examples.

// The load generator shares the machine with the server: a faster allocator leaves more of
// it to the server (the client spent a third of its time in glibc malloc/free).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod client;
mod compare;
mod cpu;
mod load;
mod report;
mod scenarios;
mod server;

use anyhow::bail;
use clap::Parser;
use client::Gql;
use load::{Model, Scenario};
use report::ScenarioReport;
use scenarios::{Catalog, Name, attacks, cart, checkout, detail, fanout, listing, search};
use server::{STAFF_EMAIL, STAFF_PASSWORD, Server, StartOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Products read at setup for the scenarios to pick from.
const CATALOG_LIMIT: usize = 2000;
/// Stock changes per second of `fanout` when `--rate` is not given.
const DEFAULT_CHANGES_PER_SEC: f64 = 5.0;

#[derive(Parser, Debug)]
#[command(
    name = "shopgraph-bench",
    version,
    about = "Load benchmark for a shopgraph server: storefront reads, carts, checkouts and \
             subscription fan-out, with HDR latency percentiles",
    after_help = "Exit status: 0 when every scenario ran without errors, 2 when some had \
                  errors (the report is printed either way), 1 when the run failed.\n\n\
                  Examples:\n  \
                  shopgraph-bench --start --products 2000 --scenario listing,detail,search --concurrency 64\n  \
                  shopgraph-bench --url http://127.0.0.1:8000 --scenario checkout --rate 200 --duration 60s\n  \
                  shopgraph-bench --start --scenario fanout --subscribers 1000 --json fanout.json\n  \
                  shopgraph-bench --compare before.json after.json"
)]
struct Cli {
    /// The server to load (ignored with --start).
    #[arg(long, env = "BENCH_URL", default_value = "http://127.0.0.1:8000")]
    url: String,

    /// Start the server: seed a catalog into a fresh SQLite database, serve it on a free
    /// loopback port (rate limiting off), stop it at the end.
    #[arg(long)]
    start: bool,

    /// With --start: products to seed (3 variants each).
    #[arg(long, default_value_t = 2000)]
    products: usize,

    /// With --start: use this database (e.g. postgres://…) instead of a fresh SQLite file;
    /// it is seeded only when its catalog is empty.
    #[arg(long, requires = "start")]
    database_url: Option<String>,

    /// With --start: the server binary [default: `shopgraph` of the release build the
    /// bench belongs to, target/release/shopgraph].
    #[arg(long, env = "SHOPGRAPH_BIN")]
    binary: Option<PathBuf>,

    /// Scenarios to run, in this order.
    #[arg(long, value_delimiter = ',', required_unless_present = "compare")]
    scenario: Vec<Name>,

    /// Run nothing: print two earlier runs' `--json` results side by side (throughput,
    /// latency, errors, orders per second, SQL statements per operation).
    #[arg(long, num_args = 2, value_names = ["BEFORE", "AFTER"], conflicts_with_all = ["scenario", "start"])]
    compare: Option<Vec<PathBuf>>,

    /// Closed loop: virtual users, each sending its next iteration when the previous one
    /// was answered.
    #[arg(long, default_value_t = 64, conflicts_with = "rate")]
    concurrency: usize,

    /// Open loop: iterations started per second on a fixed schedule, latency counted from
    /// each one's scheduled start. For `fanout`: stock changes per second [default: 5].
    #[arg(long)]
    rate: Option<f64>,

    /// Open loop: most iterations under way at once.
    #[arg(long, default_value_t = 10_000)]
    max_in_flight: usize,

    /// Measured time per scenario (`30s`, `500ms`, `2m`).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    duration: Duration,

    /// Load run before each scenario's measurement and discarded.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    warmup: Duration,

    /// A request not answered within this time fails.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    timeout: Duration,

    /// `fanout`: websocket subscribers.
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,

    /// Staff account for `fanout`'s stockAdjust (with --start, the bench creates it).
    #[arg(long, env = "BENCH_STAFF_EMAIL", default_value = STAFF_EMAIL)]
    staff_email: String,

    /// Its password [default: the one the bench gives the account with --start].
    #[arg(long, env = "BENCH_STAFF_PASSWORD", default_value = STAFF_PASSWORD, hide_default_value = true, hide_env_values = true)]
    staff_password: String,

    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C drops the run, and with it the server it started.
    let outcome = tokio::select! {
        outcome = run(cli) => outcome,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(err) => {
            eprintln!("shopgraph-bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs everything; `Ok(false)` when some scenario had errors.
async fn run(cli: Cli) -> anyhow::Result<bool> {
    if let Some([before, after]) = cli.compare.as_deref() {
        print!("{}", compare::compare_files(before, after)?);
        return Ok(true);
    }
    validate(&cli)?;
    let model = match cli.rate {
        Some(rate) => Model::Open {
            rate,
            max_in_flight: cli.max_in_flight,
        },
        None => Model::Closed {
            concurrency: cli.concurrency,
        },
    };
    let server = if cli.start {
        eprintln!("starting the server…");
        let server = Server::start(StartOptions {
            binary: cli.binary.clone(),
            products: cli.products,
            database_url: cli.database_url.clone(),
            staff_email: cli.staff_email.clone(),
            staff_password: cli.staff_password.clone(),
        })
        .await?;
        eprintln!(
            "server {} ready at {} ({})",
            server.pid(),
            server.base_url,
            server.description
        );
        Some(server)
    } else {
        None
    };
    let url = server
        .as_ref()
        .map_or(cli.url.as_str(), |s| s.base_url.as_str());
    let pool = match model {
        Model::Closed { concurrency } => concurrency,
        Model::Open { max_in_flight, .. } => max_in_flight,
    };
    let gql = Gql::new(url, pool, cli.timeout)?;
    let target = gql.base().to_owned();
    if server.is_none() && !gql.ready().await {
        bail!(
            "no ready shopgraph server at {} (GET /readyz): start one, or pass --start",
            gql.base()
        );
    }
    check_file_limit(&cli, model);
    let probe = cpu::Probe {
        server: server.as_ref().map(|s| s.pid()),
        postgres: cli
            .database_url
            .as_deref()
            .is_some_and(|url| url.starts_with("postgres")),
    };

    let catalog = Catalog::fetch(&gql, CATALOG_LIMIT).await?;
    let buyable = catalog.buyable();
    eprintln!(
        "catalog: {} products, {} variants read; carts draw from {} well-stocked variants ({} units)",
        catalog.slugs.len(),
        catalog.variants.len(),
        buyable.len(),
        catalog.buyable_units()
    );
    let wants_carts = cli
        .scenario
        .iter()
        .any(|s| matches!(s, Name::Cart | Name::Checkout));
    if wants_carts && buyable.is_empty() {
        bail!("no variant is in stock: the cart and checkout scenarios need some");
    }

    let mut reports = Vec::new();
    for &name in &cli.scenario {
        let report = match name {
            Name::Listing => {
                measure(name, listing::Listing::default(), &gql, model, &cli, &probe).await?
            }
            Name::Detail => {
                measure(
                    name,
                    detail::Detail::new(&catalog.slugs),
                    &gql,
                    model,
                    &cli,
                    &probe,
                )
                .await?
            }
            Name::Search => {
                measure(name, search::Search::default(), &gql, model, &cli, &probe).await?
            }
            Name::Attacks => {
                let report =
                    measure(name, attacks::Attacks::default(), &gql, model, &cli, &probe).await?;
                print_operations(&report);
                report
            }
            Name::Cart => {
                measure(name, cart::Cart::new(&buyable), &gql, model, &cli, &probe).await?
            }
            Name::Checkout => {
                measure(
                    name,
                    checkout::Checkout::new(&buyable),
                    &gql,
                    model,
                    &cli,
                    &probe,
                )
                .await?
            }
            Name::Fanout => {
                let options = fanout::Options {
                    subscribers: cli.subscribers,
                    changes_per_sec: cli.rate.unwrap_or(DEFAULT_CHANGES_PER_SEC),
                    warmup: cli.warmup,
                    duration: cli.duration,
                    staff_email: cli.staff_email.clone(),
                    staff_password: cli.staff_password.clone(),
                };
                eprintln!(
                    "fanout: {} subscribers, {} changes/s, {}",
                    options.subscribers,
                    options.changes_per_sec,
                    phases(cli.warmup, cli.duration)
                );
                let variant = &catalog.variants[0].id;
                fanout::run(&gql, server.as_ref(), variant, &options).await?
            }
        };
        eprintln!(
            "{}: {} requests, {:.1}/s, p99 {:.2} ms, {} errors",
            report.name, report.requests, report.rps, report.latency_ms.p99, report.errors
        );
        reports.push(report);
    }

    let statements = scenarios::count_statements(&gql, &catalog).await?;
    let setup = server.as_ref().map(|s| s.description.as_str());
    println!(
        "\nshopgraph-bench: {target}{}; catalog read: {} products, {} variants\n",
        setup.map_or_else(String::new, |s| format!(" (started: {s})")),
        catalog.slugs.len(),
        catalog.variants.len()
    );
    print!("{}", report::table(&reports));
    println!();
    print!("{}", report::statements_table(&statements));
    if let Some(path) = &cli.json {
        report::write_json(path, &target, setup, &reports, &statements)?;
        eprintln!("wrote {}", path.display());
    }
    drop(server);
    Ok(reports.iter().all(|r| r.errors == 0))
}

/// Each operation's latency, for scenarios where they differ in kind (attacks).
fn print_operations(report: &ScenarioReport) {
    let Some(operations) = report.extra.get("operations").and_then(|o| o.as_object()) else {
        return;
    };
    for (op, entry) in operations {
        let latency = &entry["latency_ms"];
        eprintln!(
            "  {op}: {} requests, p50 {} ms, p99 {} ms, max {} ms",
            entry["requests"], latency["p50"], latency["p99"], latency["max"]
        );
    }
}

/// Warm-up (discarded), then the measured run of one load-driver scenario.
async fn measure<S: Scenario>(
    name: Name,
    scenario: S,
    gql: &Gql,
    model: Model,
    cli: &Cli,
    probe: &cpu::Probe,
) -> anyhow::Result<ScenarioReport> {
    let scenario = Arc::new(scenario);
    let load = match model {
        Model::Closed { concurrency } => format!("{concurrency} virtual users"),
        Model::Open { rate, .. } => format!("{rate} iterations/s"),
    };
    eprintln!(
        "{}: {load}, {}",
        name.as_str(),
        phases(cli.warmup, cli.duration)
    );
    if !cli.warmup.is_zero() {
        let warmup = load::run(&scenario, gql, model, cli.warmup).await?;
        if warmup.stats.errors > 0 {
            eprintln!(
                "  warm-up: {} errors (discarded), e.g. {}",
                warmup.stats.errors,
                warmup.stats.problems.first().map_or("?", String::as_str)
            );
        }
    }
    let before = probe.sample();
    let measured = load::run(&scenario, gql, model, cli.duration).await?;
    let after = probe.sample();
    for problem in &measured.stats.problems {
        eprintln!("  {} error: {problem}", name.as_str());
    }
    let mut report = ScenarioReport::from_measured(name.as_str(), model, &measured);
    let orders = report
        .extra
        .get("orders")
        .and_then(serde_json::Value::as_u64);
    before.record(
        &after,
        report.requests,
        orders,
        &mut report.extra,
        &mut report.notes,
    );
    Ok(report)
}

/// `warm-up 5s, then 30s` for the console.
fn phases(warmup: Duration, duration: Duration) -> String {
    if warmup.is_zero() {
        format!("no warm-up, {duration:?}")
    } else {
        format!("warm-up {warmup:?}, then {duration:?}")
    }
}

fn validate(cli: &Cli) -> anyhow::Result<()> {
    if cli.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    if let Some(rate) = cli.rate
        && !(rate.is_finite() && rate > 0.0)
    {
        bail!("--rate must be a positive number");
    }
    if cli.max_in_flight == 0 || cli.subscribers == 0 || cli.products == 0 {
        bail!("--max-in-flight, --subscribers and --products must be at least 1");
    }
    if cli.duration.is_zero() {
        bail!("--duration must be positive");
    }
    if cli.timeout.is_zero() {
        bail!("--timeout must be positive");
    }
    Ok(())
}

/// Warns when the open-file limit is below what the run may need: one socket per
/// subscriber or in-flight request (a started server inherits the same limit).
fn check_file_limit(cli: &Cli, model: Model) {
    let mut needed = match model {
        Model::Closed { concurrency } => concurrency,
        Model::Open { .. } => 0,
    };
    if cli.scenario.contains(&Name::Fanout) {
        needed = needed.max(cli.subscribers);
    }
    raise_file_limit(needed + 1000);
    let Some(limit) = open_file_limit() else {
        return;
    };
    if needed + 100 > limit {
        eprintln!(
            "warning: the open-file limit is {limit} but this run needs about {needed} sockets; \
             raise it (`ulimit -n {}`)",
            needed + 1000
        );
    }
    if let Model::Open { max_in_flight, .. } = model
        && max_in_flight + 100 > limit
    {
        eprintln!(
            "note: --max-in-flight {max_in_flight} exceeds the open-file limit {limit}: a server \
             that falls far behind would make connections fail instead of queueing"
        );
    }
}

/// Raises `RLIMIT_NOFILE` towards `wanted`, so a 50,000-subscriber fan-out needs no
/// `ulimit -n` first; a server the bench starts inherits it. The soft limit goes up to the
/// hard one without privilege; a privileged bench (root, or `CAP_SYS_RESOURCE`) raises the
/// hard limit too.
fn raise_file_limit(wanted: usize) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let current = getrlimit(Resource::Nofile);
    let wanted = u64::try_from(wanted).unwrap_or(u64::MAX);
    if current.current.is_none_or(|soft| soft >= wanted) {
        return;
    }
    let both = Rlimit {
        current: Some(wanted),
        maximum: Some(current.maximum.map_or(wanted, |hard| hard.max(wanted))),
    };
    if setrlimit(Resource::Nofile, both).is_ok() {
        return;
    }
    let target = current.maximum.map_or(wanted, |hard| wanted.min(hard));
    let soft_only = Rlimit {
        current: Some(target),
        maximum: current.maximum,
    };
    if let Err(err) = setrlimit(Resource::Nofile, soft_only) {
        eprintln!("note: could not raise the open-file limit to {target}: {err}");
    }
}

/// The soft `RLIMIT_NOFILE`, from `/proc/self/limits` (Linux).
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    limits
        .lines()
        .find_map(|line| line.strip_prefix("Max open files"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// `30s`, `1.5s`, `500ms`, `2m`, `1h`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (e.g. 30s, 500ms, 2m)"))?;
    let seconds = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => return Err(format!("unknown unit {other:?} in {text:?} (ms, s, m, h)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|err| format!("{text:?}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;
    use clap::CommandFactory as _;

    #[test]
    fn the_bench_raises_its_own_open_file_limit() {
        use rustix::process::{Resource, getrlimit};
        // Unprivileged, the soft limit reaches the hard one; privileged, both reach 51,000.
        let hard = getrlimit(Resource::Nofile).maximum.unwrap_or(u64::MAX);
        let wanted = 51_000_u64.min(hard);
        raise_file_limit(51_000);
        let soft = open_file_limit().unwrap_or(0) as u64;
        assert!(
            soft >= wanted,
            "soft limit {soft}, wanted {wanted} (hard {hard})"
        );
    }

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn command_line_is_consistent() -> anyhow::Result<()> {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "shopgraph-bench",
            "--start",
            "--scenario",
            "listing,checkout,fanout",
            "--rate",
            "200",
            "--duration",
            "5s",
        ])
        .context("parsing")?;
        assert_eq!(
            cli.scenario,
            vec![Name::Listing, Name::Checkout, Name::Fanout]
        );
        assert_eq!(cli.rate, Some(200.0));
        assert!(
            Cli::try_parse_from([
                "shopgraph-bench",
                "--scenario",
                "listing",
                "--rate",
                "5",
                "--concurrency",
                "4"
            ])
            .is_err()
        );
        assert!(Cli::try_parse_from(["shopgraph-bench"]).is_err());
        Ok(())
    }
}
