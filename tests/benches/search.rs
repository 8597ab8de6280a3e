//! Search benchmark (a benchmark, not a test: it prints figures).
//!
//! For each catalog size (the demo catalog, then a generated one, 100,000 products by
//! default): `shopgraph seed --products N` into a fresh SQLite database, `shopgraph reindex`
//! (timed: the full rebuild), then a release `shopgraph serve` process, then C concurrent
//! clients sending `search` requests for D seconds — text with typos and prefixes, filters,
//! facets and sorting, the mix of a storefront search page — and measuring each request's
//! latency end to end (HTTP + GraphQL + engine + product hydration).
//!
//! ```sh
//! cargo build --release --bin shopgraph
//! cargo bench -p shopgraph-e2e --bench search
//! SEARCH_BENCH_PRODUCTS=240,10000 SEARCH_BENCH_SECONDS=5 SEARCH_BENCH_CLIENTS=16 cargo bench -p shopgraph-e2e --bench search
//! ```
//!
//! With `MEILISEARCH_URL` (and `MEILISEARCH_API_KEY`) set, the same runs go to Meilisearch
//! too (`SEARCH_BENCH_ENGINES=meilisearch` for Meilisearch only). The reindex figure is the
//! whole `shopgraph reindex` command, including its 2 s wait for servers to switch. The client shares the machine with the server (and Meilisearch), so its own work is
//! part of the figures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::bench_util::{percentile, setting};
use e2e::{Backend, ServerProcess, TestDatabase, shopgraph_binary};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const SEARCH: &str = "query($q: String, $f: ProductSearchFilter, $s: SearchSortKey, $r: Boolean) { search(query: $q, filter: $f, sortKey: $s, reverse: $r, first: 24, facets: [CATEGORY, BRAND, PRICE_RANGE, IN_STOCK]) { totalHits hits { product { id name slug priceRange { minVariantPrice { amount currencyCode } } } highlights { field snippet } } facets { name values { value count label } } } }";

/// A storefront's searches: plain words, typos, prefixes, filters, sorts, category pages.
fn requests() -> Vec<serde_json::Value> {
    vec![
        json!({ "q": "boot" }),
        json!({ "q": "hoodi" }),
        json!({ "q": "cotten tee" }),
        json!({ "q": "jakcet" }),
        json!({ "q": "linen", "f": { "inStock": true } }),
        json!({ "q": "mug", "s": "PRICE" }),
        json!({ "q": "sneaker", "f": { "priceMin": "20", "priceMax": "120" } }),
        json!({ "q": "olive", "s": "CREATED", "r": true }),
        json!({ "q": "" }),
        json!({ "q": "", "f": { "inStock": true }, "s": "PRICE", "r": true }),
        json!({ "q": "wool throw" }),
        json!({ "q": "chelsea b" }),
    ]
}

fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = setting("SEARCH_BENCH_PRODUCTS", "240,100000")
        .split(',')
        .map(|n| n.trim().parse())
        .collect::<Result<_, _>>()?;
    let seconds: u64 = setting("SEARCH_BENCH_SECONDS", "10").parse()?;
    let clients: usize = setting("SEARCH_BENCH_CLIENTS", "32").parse()?;
    let wanted = setting("SEARCH_BENCH_ENGINES", "tantivy,meilisearch");
    let mut engines = Vec::new();
    if wanted.contains("tantivy") {
        engines.push(("tantivy", Vec::new()));
    }
    if let (Ok(url), true) = (
        std::env::var("MEILISEARCH_URL"),
        wanted.contains("meilisearch"),
    ) {
        let mut env = vec![("MEILISEARCH_URL", url)];
        if let Ok(key) = std::env::var("MEILISEARCH_API_KEY") {
            env.push(("MEILISEARCH_API_KEY", key));
        }
        engines.push(("meilisearch", env));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "search: {clients} concurrent clients, {seconds} s per run, 24 hits + 4 facets per request"
    );
    println!(
        "{:>11} | {:>8} | {:>9} | {:>9} | {:>8} | {:>8} | {:>8} | {:>6}",
        "engine", "products", "reindex", "req/s", "p50", "p99", "max", "errors"
    );
    for (engine, env) in &engines {
        for &size in &sizes {
            let report = runtime.block_on(measure(engine, env, size, clients, seconds))?;
            println!("{report}");
        }
    }
    Ok(())
}

struct Report {
    engine: &'static str,
    products: usize,
    reindex: Duration,
    latencies: Vec<Duration>,
    elapsed: Duration,
    errors: usize,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
        write!(
            f,
            "{:>11} | {:>8} | {:>7.1} s | {:>9.0} | {:>8} | {:>8} | {:>8} | {:>6}",
            self.engine,
            self.products,
            self.reindex.as_secs_f64(),
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            ms(percentile(&self.latencies, 50.0)),
            ms(percentile(&self.latencies, 99.0)),
            ms(percentile(&self.latencies, 100.0)),
            self.errors
        )
    }
}

/// Runs `shopgraph <args>` to completion with `env`; returns how long it took.
async fn run(args: &[&str], env: Vec<(&'static str, String)>) -> anyhow::Result<Duration> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(shopgraph_binary()?);
        command
            .args(&args)
            .env("RUST_LOG", "warn")
            .env_remove("MEILISEARCH_URL");
        for (key, value) in env {
            command.env(key, value);
        }
        let started = Instant::now();
        let output = command.output()?;
        anyhow::ensure!(
            output.status.success(),
            "shopgraph {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(started.elapsed())
    })
    .await?
}

async fn measure(
    engine: &'static str,
    engine_env: &[(&'static str, String)],
    products: usize,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Report> {
    let database = TestDatabase::create(&Backend::sqlite()).await?;
    let index_dir =
        std::env::temp_dir().join(format!("shopgraph-bench-{}", uuid::Uuid::new_v4().simple()));
    let meili_index = format!("shopgraph_bench_{}", uuid::Uuid::new_v4().simple());
    let mut env = vec![
        ("DATABASE_URL", database.url.clone()),
        ("SEARCH_INDEX_DIR", index_dir.display().to_string()),
        ("MEILISEARCH_INDEX", meili_index.clone()),
    ];
    env.extend(engine_env.iter().cloned());
    run(&["seed", "--products", &products.to_string()], env.clone()).await?;
    let reindex = run(&["reindex"], env.clone()).await?;

    env.push(("RATE_LIMIT_REQUESTS", "1000000000".to_owned()));
    env.push(("RUST_LOG", "error".to_owned()));
    env.push(("SEED_DEMO", "false".to_owned()));
    let server = Arc::new(ServerProcess::spawn(&env).await?);
    let requests = Arc::new(requests());
    // Warm-up: every request once (caches, lazily opened index files).
    for variables in requests.iter() {
        server.graphql(SEARCH, variables.clone()).await?;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut workers = Vec::new();
    for client in 0..clients {
        let (server, requests, stop) = (server.clone(), requests.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0usize);
            let mut next = client;
            while !stop.load(Ordering::Relaxed) {
                let variables = requests[next % requests.len()].clone();
                next += 1;
                let sent = Instant::now();
                match server.graphql(SEARCH, variables).await {
                    Ok(response) if response.body.get("errors").is_none() => {
                        latencies.push(sent.elapsed())
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut report = Report {
        engine,
        products,
        reindex,
        latencies: Vec::new(),
        elapsed: started.elapsed(),
        errors: 0,
    };
    for worker in workers {
        let (latencies, errors) = worker.await?;
        report.latencies.extend(latencies);
        report.errors += errors;
    }
    report.elapsed = started.elapsed();
    drop(server);
    let _ = std::fs::remove_dir_all(&index_dir);
    let meili = |name: &str| {
        engine_env
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    if let Some(url) = meili("MEILISEARCH_URL") {
        let mut request = reqwest::Client::new().delete(format!(
            "{}/indexes/{meili_index}",
            url.trim_end_matches('/')
        ));
        if let Some(key) = meili("MEILISEARCH_API_KEY") {
            request = request.bearer_auth(key);
        }
        request.send().await?;
    }
    Ok(report)
}
