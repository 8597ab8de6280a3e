//! `fanout`: subscription delivery under many listeners.
//!
//! Opens `--subscribers` websockets (`graphql-transport-ws`: `connection_init`, wait for
//! `connection_ack`, `subscribe`), each watching `stockChanged` of the same variant. A first
//! `stockAdjust` (+1) primes them: the run starts once every subscriber has its event, so all
//! subscriptions are known to be registered. Then a staff user changes that variant's stock
//! at `--rate` changes per second (alternately +1 and −1, so stock stays where it was), one
//! change at a time, for the warm-up and the measured duration. For every subscriber and
//! change, the delay from sending the mutation to receiving the event is recorded.
//!
//! Events are matched to changes by order: the k-th distinct `eventId` is the k-th change
//! (changes are sequential, and each subscriber receives events in order); the `available`
//! figure, which alternates with the changes, checks the matching. With `--start`, the
//! server's resident memory is read before and after connecting (memory per connection) and
//! after every measured change (the most it held while delivering).

use crate::client::Gql;
use crate::load::{histogram, micros};
use crate::report::{Latency, ScenarioReport};
use crate::server::Server;
use anyhow::{Context as _, bail};
use futures_util::{SinkExt as _, StreamExt as _, stream};
use hdrhistogram::Histogram;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const WATCH: &str =
    "subscription($v:[ID!]){ stockChanged(variantIds:$v){ eventId available resync } }";
const ADJUST: &str = "mutation($v:ID!,$w:ID!,$d:Int!){ stockAdjust(variantId:$v, warehouseId:$w, delta:$d, reason:\"bench\") { userErrors { code message } } }";
/// Websocket handshakes under way at once while connecting.
const CONNECT_CONCURRENCY: usize = 200;
/// Bytes a subscriber's socket reads at a time (a larger message still arrives whole).
const READ_BUFFER: usize = 4 * 1024;
/// How long each subscriber may take to get the priming event, and the last one.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct Options {
    pub subscribers: usize,
    pub changes_per_sec: f64,
    pub warmup: Duration,
    pub duration: Duration,
    pub staff_email: String,
    pub staff_password: String,
}

/// What a subscriber's reader reports.
enum Event {
    Change {
        id: String,
        available: i64,
        resync: bool,
        at: Instant,
    },
    /// A GraphQL `error`/`complete` message, or an event without data.
    Failed(String),
    /// The socket closed or broke.
    Closed,
}

/// Shared between the mutation loop and the collector of events.
#[derive(Default)]
struct Board {
    /// When each change was sent, in order, and whether it is in the measured phase.
    sent: Vec<(Instant, bool)>,
    /// Events received per change (indexed like `sent`, filled as events arrive).
    arrived: Vec<usize>,
}

/// What the collector found once the readers stopped.
struct Collected {
    delays: Histogram<u64>,
    resyncs: u64,
    /// Events of no known change, or whose `available` did not fit their change.
    mismatched: u64,
    failures: u64,
    disconnects: u64,
    problems: Vec<String>,
}

pub async fn run(
    gql: &Gql,
    server: Option<&Server>,
    variant: &str,
    options: &Options,
) -> anyhow::Result<ScenarioReport> {
    let token = gql
        .staff_token(&options.staff_email, &options.staff_password)
        .await?;
    let staff = gql.with_token(&token);
    let warehouses = staff
        .data("{ warehouses { id } }", &json!({}))
        .await
        .context("reading warehouses as staff")?;
    let warehouse = warehouses["warehouses"][0]["id"]
        .as_str()
        .context("the store has no warehouse")?
        .to_owned();
    let n = options.subscribers;

    let rss_before = server.map(Server::resident_bytes).transpose()?;
    let connecting = Instant::now();
    let url = gql.websocket_url();
    let opened: Vec<anyhow::Result<Socket>> = stream::iter(0..n)
        .map(|_| subscribe(&url, variant))
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect()
        .await;
    let failed = opened.iter().filter(|r| r.is_err()).count();
    if let Some(Err(first)) = opened.iter().find(|r| r.is_err()) {
        bail!(
            "{failed} of {n} subscribers could not connect, e.g.: {first:#} (each needs a file \
             descriptor here and one in the server: see `ulimit -n`; against --url, the \
             server's MAX_WEBSOCKETS_PER_CLIENT must allow {n})"
        );
    }
    let connect_s = connecting.elapsed().as_secs_f64();

    let board = Arc::new(Mutex::new(Board::default()));
    let (events_tx, events) = mpsc::unbounded_channel();
    let collector = tokio::spawn(collect(events, board.clone(), histogram()?));
    let mut readers = JoinSet::new();
    for socket in opened.into_iter().flatten() {
        readers.spawn(read(socket, events_tx.clone()));
    }
    drop(events_tx);

    let adjust = |delta: i64| {
        let variables = json!({ "v": variant, "w": warehouse, "d": delta });
        let staff = staff.clone();
        async move {
            let reply = staff.post(ADJUST, &variables).await?;
            if let Some(problem) = reply.problem() {
                bail!("{problem}");
            }
            let errors = &reply.body["data"]["stockAdjust"]["userErrors"];
            if errors.as_array().is_some_and(|e| !e.is_empty()) {
                bail!("stockAdjust user errors: {errors}");
            }
            Ok(())
        }
    };
    // Change k adds +1 when k is even, −1 when odd.
    let delta_of = |k: usize| if k.is_multiple_of(2) { 1 } else { -1 };
    let mark_sent = |measured: bool| {
        lock(&board).sent.push((Instant::now(), measured));
    };

    // Priming: every subscriber must see change 0 before the run starts.
    mark_sent(false);
    adjust(delta_of(0))
        .await
        .context("the priming stockAdjust")?;
    let settled = wait_for(&board, 1, n, SETTLE_TIMEOUT).await;
    if !settled {
        let got = lock(&board).arrived.first().copied().unwrap_or(0);
        bail!("only {got} of {n} subscribers received the first change within 30 s");
    }
    let rss_after = server.map(Server::resident_bytes).transpose()?;

    let mut rss_during_max = 0u64;
    let mut mutation_latency = histogram()?;
    let (mut mutation_errors, mut measured_changes) = (0u64, 0u64);
    let mut problems = Vec::new();
    let started = Instant::now();
    let measure_from = started + options.warmup;
    let end = measure_from + options.duration;
    let mut k = 1;
    for i in 0u64.. {
        let due = started + Duration::from_secs_f64(i as f64 / options.changes_per_sec);
        if due >= end {
            break;
        }
        if due > Instant::now() {
            tokio::time::sleep_until(due.into()).await;
        }
        let measured = due >= measure_from;
        mark_sent(measured);
        let sent = Instant::now();
        let outcome = adjust(delta_of(k)).await;
        k += 1;
        if measured {
            measured_changes += 1;
            mutation_latency.saturating_record(micros(sent.elapsed()));
            // Memory under load: read after each change (5 a second by default), while
            // the deliveries it set off are under way.
            if let Some(Ok(resident)) = server.map(Server::resident_bytes) {
                rss_during_max = rss_during_max.max(resident);
            }
        }
        if let Err(err) = outcome {
            mutation_errors += 1;
            if problems.len() < 5 {
                problems.push(format!("stockAdjust: {err:#}"));
            }
        }
    }
    let measured_s = end.saturating_duration_since(measure_from).as_secs_f64();
    // Let the last events arrive, then stop the readers.
    wait_for(&board, k, n, SETTLE_TIMEOUT).await;
    readers.shutdown().await;
    let collected = collector.await.context("the event collector panicked")?;
    if k % 2 == 1 {
        // An odd number of changes left one unit more: take it back.
        if let Err(err) = adjust(-1).await {
            eprintln!("fanout: could not restore the variant's stock: {err:#}");
        }
    }

    let board = lock(&board);
    let mut missed = 0u64;
    for (index, (_, measured)) in board.sent.iter().enumerate() {
        if *measured {
            let got = board.arrived.get(index).copied().unwrap_or(0);
            missed += n.saturating_sub(got) as u64;
        }
    }
    let deliveries = collected.delays.len();
    let errors = mutation_errors
        + missed
        + collected.mismatched
        + collected.failures
        + collected.disconnects;
    problems.extend(collected.problems);
    for problem in &problems {
        eprintln!("  fanout error: {problem}");
    }

    let mutation = Latency::of(&mutation_latency);
    let mut extra = Map::new();
    extra.insert("subscribers".into(), json!(n));
    extra.insert("deliveries".into(), json!(deliveries));
    extra.insert("missed_deliveries".into(), json!(missed));
    extra.insert("resyncs".into(), json!(collected.resyncs));
    extra.insert("mutation_latency_ms".into(), json!(mutation));
    extra.insert(
        "connect_s".into(),
        json!((connect_s * 1000.0).round() / 1000.0),
    );
    let mut notes = vec![
        format!("{n} subs"),
        format!("{deliveries} deliveries"),
        format!("stockAdjust p50 {:.2} ms", mutation.p50),
    ];
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        let per_connection = after.saturating_sub(before) as f64 / n as f64 / 1024.0;
        extra.insert(
            "server_rss_mib".into(),
            json!({
                "before": mib(before),
                "after": mib(after),
                "during_max": mib(rss_during_max.max(after)),
            }),
        );
        extra.insert(
            "rss_per_connection_kib".into(),
            json!((per_connection * 10.0).round() / 10.0),
        );
        notes.push(format!("{per_connection:.1} KiB RSS/conn"));
        notes.push(format!(
            "server RSS {:.0} MiB before, at most {:.0} during the run",
            mib(before),
            mib(rss_during_max.max(after))
        ));
    }
    if collected.resyncs > 0 || missed > 0 {
        notes.push(format!("{missed} missed, {} resyncs", collected.resyncs));
    }
    Ok(ScenarioReport {
        name: "fanout".to_owned(),
        model: "fanout",
        concurrency: None,
        rate: Some(options.changes_per_sec),
        duration_s: measured_s,
        requests: measured_changes,
        rps: (measured_changes as f64 / measured_s.max(f64::EPSILON) * 100.0).round() / 100.0,
        latency_ms: Latency::of(&collected.delays),
        errors,
        extra,
        notes,
    })
}

fn mib(bytes: u64) -> f64 {
    (bytes as f64 / 1_048_576.0 * 10.0).round() / 10.0
}

fn lock(board: &Mutex<Board>) -> std::sync::MutexGuard<'_, Board> {
    board.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits until each of the first `changes` changes reached `subscribers` subscribers.
async fn wait_for(
    board: &Mutex<Board>,
    changes: usize,
    subscribers: usize,
    limit: Duration,
) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        {
            let board = lock(board);
            if board.arrived.len() >= changes
                && board.arrived[..changes]
                    .iter()
                    .all(|&got| got >= subscribers)
            {
                return true;
            }
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Opens one websocket, completes `connection_init`, and subscribes to `variant`.
async fn subscribe(url: &str, variant: &str) -> anyhow::Result<Socket> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    // tungstenite zeroes its whole read buffer before every read: at the default 128 KiB,
    // that memset was a third of the bench's CPU time with 10,000 sockets, slowing the very
    // deliveries it measures. Events are a few hundred bytes.
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let (mut socket, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(config), false).await?;
    socket
        .send(Message::text(r#"{"type":"connection_init"}"#))
        .await?;
    let ack = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(message) = socket.next().await {
            if let Message::Text(text) = message? {
                return Ok(serde_json::from_str::<Value>(&text)?);
            }
        }
        bail!("the websocket closed before connection_ack")
    })
    .await
    .context("no connection_ack within 10 s")??;
    if ack["type"] != "connection_ack" {
        bail!("expected connection_ack, got {ack}");
    }
    let subscribe = json!({
        "id": "1",
        "type": "subscribe",
        "payload": { "query": WATCH, "variables": { "v": [variant] } }
    });
    socket.send(Message::text(subscribe.to_string())).await?;
    Ok(socket)
}

/// A `next` message of the watch subscription.
#[derive(serde::Deserialize)]
struct Next {
    #[serde(rename = "type")]
    kind: String,
    payload: Option<NextPayload>,
}

#[derive(serde::Deserialize)]
struct NextPayload {
    data: Option<WatchData>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct WatchData {
    stock_changed: Option<StockChanged>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StockChanged {
    event_id: Option<String>,
    available: Option<i64>,
    #[serde(default)]
    resync: bool,
}

/// Forwards a subscriber's events (with their arrival time) until the socket ends.
async fn read(mut socket: Socket, events: mpsc::UnboundedSender<Event>) {
    while let Some(message) = socket.next().await {
        let at = Instant::now();
        let text = match message {
            Ok(Message::Text(text)) => text,
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => continue,
        };
        // The common case read into a typed shape (cheaper than a `Value` tree: the bench
        // shares the cores with the server it measures); anything else is looked at whole.
        let event = match serde_json::from_str::<Next>(&text) {
            Ok(Next {
                kind,
                payload: Some(NextPayload { data: Some(data) }),
            }) if kind == "next" => match data.stock_changed {
                Some(StockChanged {
                    event_id: Some(id),
                    available: Some(available),
                    resync,
                }) => Event::Change {
                    id,
                    available,
                    resync,
                    at,
                },
                _ => Event::Failed(format!("an event without data: {text}")),
            },
            _ => {
                let Ok(message) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                match message["type"].as_str() {
                    Some("ping") => {
                        let _ = socket.send(Message::text(r#"{"type":"pong"}"#)).await;
                        continue;
                    }
                    Some("next") => {
                        Event::Failed(format!("an event without data: {}", message["payload"]))
                    }
                    Some("error" | "complete") => {
                        Event::Failed(format!("subscription ended: {message}"))
                    }
                    _ => continue,
                }
            }
        };
        if events.send(event).is_err() {
            return;
        }
    }
    let _ = events.send(Event::Closed);
}

/// Matches events to changes and records each delivery's delay.
async fn collect(
    mut events: mpsc::UnboundedReceiver<Event>,
    board: Arc<Mutex<Board>>,
    delays: Histogram<u64>,
) -> Collected {
    let mut collected = Collected {
        delays,
        resyncs: 0,
        mismatched: 0,
        failures: 0,
        disconnects: 0,
        problems: Vec::new(),
    };
    let mut changes: HashMap<String, usize> = HashMap::new();
    // `available` after change 0; after change k it is this minus k % 2.
    let mut primed_level: Option<i64> = None;
    while let Some(event) = events.recv().await {
        let (id, available, at) = match event {
            Event::Change { resync: true, .. } => {
                collected.resyncs += 1;
                continue;
            }
            Event::Change {
                id, available, at, ..
            } => (id, available, at),
            Event::Failed(problem) => {
                collected.failures += 1;
                if collected.problems.len() < 5 {
                    collected.problems.push(problem);
                }
                continue;
            }
            Event::Closed => {
                collected.disconnects += 1;
                continue;
            }
        };
        let mut board = lock(&board);
        let next = changes.len();
        let k = *changes.entry(id).or_insert(next);
        if k == board.arrived.len() {
            board.arrived.push(0);
        }
        board.arrived[k] += 1;
        let level = *primed_level.get_or_insert(available);
        let fits = available == level - (k % 2) as i64;
        match board.sent.get(k) {
            Some(&(sent, measured)) if fits => {
                if measured {
                    collected
                        .delays
                        .saturating_record(micros(at.saturating_duration_since(sent)));
                }
            }
            _ => {
                collected.mismatched += 1;
                if collected.problems.len() < 5 {
                    collected.problems.push(format!(
                        "event {k} (available {available}) fits no change sent"
                    ));
                }
            }
        }
    }
    collected
}
