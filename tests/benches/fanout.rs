//! Subscription fan-out benchmark (a benchmark, not a test: it prints figures).
//!
//! Starts one release `shopgraph serve` process on a fresh SQLite database, opens N
//! websockets that each subscribe to `stockChanged` for one variant, then makes
//! `stockAdjust` changes one at a time and records, for every subscriber, the time from
//! sending the mutation to receiving the event. Reports p50/p99/max of those times, the
//! time until the last subscriber had it, and the server's resident memory per connection.
//!
//! ```sh
//! cargo build --release --bin shopgraph
//! cargo bench -p shopgraph-e2e --bench fanout
//! FANOUT_SUBSCRIBERS=1000 FANOUT_ROUNDS=50 cargo bench -p shopgraph-e2e --bench fanout
//! ```
//!
//! The client runs on the same machine, so its own work is part of the figures; the file
//! descriptor limit must allow two sockets per subscriber (`ulimit -n`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::bench_util::{percentile, setting};
use e2e::{Backend, Endpoint, ServerProcess, TestDatabase, WsProtocol};
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

const ADJUST: &str = "mutation($v: ID!, $w: ID!, $d: Int!) { stockAdjust(variantId: $v, warehouseId: $w, delta: $d, reason: \"benchmark\") { userErrors { message } } }";
const WATCH: &str =
    "subscription($v: [ID!]) { stockChanged(variantIds: $v) { eventId available inStock } }";
/// Websockets opened at a time while connecting.
const CONNECT_CONCURRENCY: usize = 200;

fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = setting("FANOUT_SUBSCRIBERS", "1000,10000")
        .split(',')
        .map(|n| n.trim().parse())
        .collect::<Result<_, _>>()?;
    let rounds: usize = setting("FANOUT_ROUNDS", "30").parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!("subscription fan-out: one process, SQLite, {rounds} stockAdjust rounds per size");
    println!(
        "{:>11} | {:>9} | {:>9} | {:>9} | {:>14} | {:>13} | {:>9}",
        "subscribers", "p50", "p99", "max", "last (p50/p99)", "mutation p50", "RSS/conn"
    );
    for size in sizes {
        let report = runtime.block_on(measure(size, rounds))?;
        println!("{report}");
    }
    Ok(())
}

struct Report {
    subscribers: usize,
    deliveries: Vec<Duration>,
    last_per_round: Vec<Duration>,
    mutations: Vec<Duration>,
    bytes_per_connection: f64,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
        write!(
            f,
            "{:>11} | {:>9} | {:>9} | {:>9} | {:>6}/{:>7} | {:>13} | {:>6.1} KiB",
            self.subscribers,
            ms(percentile(&self.deliveries, 50.0)),
            ms(percentile(&self.deliveries, 99.0)),
            ms(percentile(&self.deliveries, 100.0)),
            format!(
                "{:.1}",
                percentile(&self.last_per_round, 50.0).as_secs_f64() * 1000.0
            ),
            ms(percentile(&self.last_per_round, 99.0)),
            ms(percentile(&self.mutations, 50.0)),
            self.bytes_per_connection / 1024.0
        )
    }
}

/// The server's resident set size in bytes (Linux `/proc`).
fn resident_bytes(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or_else(|| anyhow::anyhow!("no VmRSS"))?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("malformed VmRSS"))?
        .parse()?;
    Ok(kib * 1024)
}

async fn measure(subscribers: usize, rounds: usize) -> anyhow::Result<Report> {
    let database = TestDatabase::create(&Backend::sqlite()).await?;
    let server = ServerProcess::spawn(&[
        ("DATABASE_URL", database.url.clone()),
        ("ADMIN_EMAIL", e2e::ADMIN_EMAIL.to_owned()),
        ("ADMIN_PASSWORD", e2e::ADMIN_PASSWORD.to_owned()),
        ("MAX_WEBSOCKETS_PER_CLIENT", (subscribers + 10).to_string()),
        ("RATE_LIMIT_REQUESTS", "100000000".to_owned()),
        ("RUST_LOG", "error".to_owned()),
    ])
    .await?;
    let admin = server.admin_token().await?;
    let ids = server
        .graphql_as(
            Some(&admin),
            "{ products(first: 1) { nodes { variants { id } } } warehouses { id } }",
            json!({}),
        )
        .await?;
    let variant = ids.data()["products"]["nodes"][0]["variants"][0]["id"].clone();
    let warehouse = ids.data()["warehouses"][0]["id"].clone();
    let baseline = resident_bytes(server.pid())?;

    // Each subscriber's reader reports (round, when) for every event it receives.
    let (deliveries_tx, mut deliveries) = mpsc::unbounded_channel::<(i64, Instant)>();
    let endpoint: &Endpoint = &server;
    let connected: Vec<anyhow::Result<()>> = stream::iter(0..subscribers)
        .map(|_| subscribe(endpoint, &variant, deliveries_tx.clone()))
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect()
        .await;
    connected.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    // Subscriptions register asynchronously after `subscribe`; let them settle.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let connected_bytes = resident_bytes(server.pid())?;

    let mut report = Report {
        subscribers,
        deliveries: Vec::with_capacity(subscribers * rounds),
        last_per_round: Vec::new(),
        mutations: Vec::new(),
        bytes_per_connection: connected_bytes.saturating_sub(baseline) as f64 / subscribers as f64,
    };
    let mut available: Option<i64> = None;
    for round in 0..rounds {
        // Alternate +1/-1 so stock stays put; each event's `available` says which round it is.
        let delta = if round % 2 == 0 { 1 } else { -1 };
        let sent = Instant::now();
        let adjusted = server
            .graphql_as(
                Some(&admin),
                ADJUST,
                json!({ "v": variant, "w": warehouse, "d": delta }),
            )
            .await?;
        report.mutations.push(sent.elapsed());
        anyhow::ensure!(
            adjusted.data()["stockAdjust"]["userErrors"] == json!([]),
            "{}",
            adjusted.body
        );
        let mut received = 0;
        let mut expected_available = None;
        let deadline = sent + Duration::from_secs(60);
        while received < subscribers {
            let (now_available, at) = tokio::time::timeout_at(deadline.into(), deliveries.recv())
                .await
                .map_err(|_| {
                    anyhow::anyhow!("round {round}: {received}/{subscribers} delivered in 60 s")
                })?
                .ok_or_else(|| anyhow::anyhow!("all readers stopped"))?;
            // The first round learns the level; later rounds expect it to move by `delta`.
            let expected = *expected_available.get_or_insert(match available {
                Some(before) => before + i64::from(delta),
                None => now_available,
            });
            anyhow::ensure!(
                now_available == expected,
                "round {round}: an event for {now_available}, expected {expected}"
            );
            report.deliveries.push(at.saturating_duration_since(sent));
            received += 1;
            if received == subscribers {
                report
                    .last_per_round
                    .push(at.saturating_duration_since(sent));
            }
        }
        available = expected_available;
    }
    drop(server);
    drop(database);
    Ok(report)
}

/// Opens one websocket, subscribes, and leaves a task forwarding each event's arrival time.
async fn subscribe(
    endpoint: &Endpoint,
    variant: &Value,
    deliveries: mpsc::UnboundedSender<(i64, Instant)>,
) -> anyhow::Result<()> {
    let mut client = endpoint
        .websocket(WsProtocol::TransportWs, json!({}))
        .await?;
    client
        .subscribe("1", WATCH, json!({ "v": [variant] }))
        .await?;
    let mut socket = client.socket;
    tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            let at = Instant::now();
            let Message::Text(text) = message else {
                continue;
            };
            let Ok(message) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            if let Some(available) =
                message["payload"]["data"]["stockChanged"]["available"].as_i64()
                && deliveries.send((available, at)).is_err()
            {
                break;
            }
        }
    });
    Ok(())
}
