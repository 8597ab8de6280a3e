//! The load driver and its measurements.
//!
//! A scenario's *iteration* is one or more GraphQL requests (a product page: one; a checkout:
//! five). The driver runs iterations for a duration under one of two models:
//!
//! - **closed loop** (`--concurrency N`): N virtual users, each starting its next iteration
//!   as soon as its previous one finished. Throughput is whatever the server sustains.
//! - **open loop** (`--rate R`): iterations start on a fixed schedule, R per second, whether
//!   or not earlier ones were answered (at most `--max-in-flight` at once). Latency counts
//!   from the *scheduled* start, so time spent queued behind a slow server is measured rather
//!   than silently skipped (coordinated omission).
//!
//! Requests go through [`Rec`], which times them and classifies errors (HTTP status other
//! than 200, GraphQL `errors`, transport failures). At the end of an iteration its samples go
//! into HDR histograms (microseconds) held in a few mutex-guarded shards, so concurrent
//! tasks rarely wait for each other; the shards are merged once the run is over.

use crate::client::Gql;
use anyhow::Context as _;
use hdrhistogram::Histogram;
use serde_json::Value;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Highest latency the histograms tell apart (larger values are recorded as this).
const HIGHEST_MICROS: u64 = 300_000_000;
/// Mutex-guarded statistics shards tasks record into.
const SHARDS: usize = 16;
/// Distinct error messages kept to show on the console.
const PROBLEM_EXAMPLES: usize = 5;

/// How load is offered.
#[derive(Clone, Copy, Debug)]
pub enum Model {
    Closed { concurrency: usize },
    Open { rate: f64, max_in_flight: usize },
}

/// One scenario: what a single iteration sends.
pub trait Scenario: Send + Sync + 'static {
    /// Runs one iteration, sending its requests through `rec`.
    fn iteration(&self, rec: &mut Rec) -> impl Future<Output = ()> + Send;

    /// The outcomes it counts with [`Rec::count`], reported even when none happened.
    fn counters(&self) -> &'static [&'static str] {
        &[]
    }
}

/// An empty latency histogram (1 µs to 300 s, 3 significant digits).
pub fn histogram() -> anyhow::Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, HIGHEST_MICROS, 3).context("creating a histogram")
}

pub fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// The requests of one iteration: timing, errors and scenario-specific counts.
pub struct Rec {
    gql: Gql,
    /// When the iteration was due to start (open loop: its scheduled time).
    started: Instant,
    /// Where the next request's latency counts from: the scheduled start for the first
    /// request, the previous answer for the following ones.
    next_from: Instant,
    samples: Vec<(&'static str, u64)>,
    counts: Vec<&'static str>,
    problems: Vec<String>,
}

impl Rec {
    fn new(gql: Gql, started: Instant) -> Self {
        Self {
            gql,
            started,
            next_from: started,
            samples: Vec::with_capacity(5),
            counts: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Sends one request named `op`, records its latency, and returns its `data` — or `None`
    /// when it failed (the error is recorded).
    pub async fn call(
        &mut self,
        op: &'static str,
        query: &str,
        variables: &Value,
    ) -> Option<Value> {
        let from = self.next_from;
        let answer = self
            .gql
            .post(query, variables)
            .await
            .map(|mut reply| match reply.problem() {
                Some(problem) => Err(problem),
                None => Ok(reply.body["data"].take()),
            });
        self.record(op, from, answer)
    }

    /// Like [`Rec::call`], with the answer read into `T` (see [`crate::client::Typed`]).
    pub async fn call_typed<T: serde::de::DeserializeOwned>(
        &mut self,
        op: &'static str,
        query: &str,
        variables: &Value,
    ) -> Option<T> {
        let from = self.next_from;
        let answer = self.gql.post_typed::<T>(query, variables).await;
        self.record(op, from, answer)
    }

    /// Sends a request body that the server must refuse with the error code `code`; records
    /// its latency, and an error when it was answered any other way.
    pub async fn call_refused(&mut self, op: &'static str, body: &Value, code: &str) {
        let from = self.next_from;
        let answer = self.gql.post_body(body).await.map(|reply| {
            let got = reply.body["errors"][0]["extensions"]["code"].as_str();
            match got {
                Some(got) if got == code => Ok(()),
                _ => Err(format!(
                    "expected a refusal with {code}, got HTTP {}: {}",
                    reply.status,
                    reply.body.to_string().chars().take(200).collect::<String>()
                )),
            }
        });
        self.record(op, from, answer);
    }

    /// Records the latency of a request sent at `from` and its problem, if any.
    fn record<T>(
        &mut self,
        op: &'static str,
        from: Instant,
        answer: anyhow::Result<Result<T, String>>,
    ) -> Option<T> {
        let now = Instant::now();
        self.next_from = now;
        self.samples
            .push((op, micros(now.saturating_duration_since(from))));
        match answer {
            Err(err) => {
                self.problems.push(format!("{op}: transport: {err:#}"));
                None
            }
            Ok(Err(problem)) => {
                self.problems.push(format!("{op}: {problem}"));
                None
            }
            Ok(Ok(data)) => Some(data),
        }
    }

    /// Counts a scenario-specific outcome (`orders`, `out_of_stock`, …).
    pub fn count(&mut self, what: &'static str) {
        self.counts.push(what);
    }

    /// Records an error found in a good answer (an unexpected user error, a missing product).
    pub fn fail(&mut self, op: &'static str, message: impl std::fmt::Display) {
        self.problems.push(format!("{op}: {message}"));
    }
}

/// What a run measured.
pub struct Stats {
    /// Requests answered or failed.
    pub requests: u64,
    /// Failed requests, plus errors found in good answers.
    pub errors: u64,
    /// Every request's latency (µs).
    pub latency: Histogram<u64>,
    /// Iterations without any error, and their latency from start to last answer (µs).
    pub iterations: u64,
    pub iteration_latency: Histogram<u64>,
    /// Latency by operation name (µs).
    pub operations: BTreeMap<&'static str, Histogram<u64>>,
    pub counts: BTreeMap<&'static str, u64>,
    /// The first few distinct error messages.
    pub problems: Vec<String>,
    /// Open loop: how late iterations started after their scheduled time (µs).
    pub schedule_lag: Histogram<u64>,
    /// Open loop: scheduled iterations never started (the in-flight cap was still full when
    /// the run ended).
    pub unsent: u64,
    /// Open loop: iterations that had to wait for a free in-flight slot.
    pub throttled: u64,
}

impl Stats {
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self {
            requests: 0,
            errors: 0,
            latency: histogram()?,
            iterations: 0,
            iteration_latency: histogram()?,
            operations: BTreeMap::new(),
            counts: BTreeMap::new(),
            problems: Vec::new(),
            schedule_lag: histogram()?,
            unsent: 0,
            throttled: 0,
        })
    }

    fn absorb(&mut self, rec: Rec, finished: Instant) {
        for (op, us) in rec.samples {
            self.requests += 1;
            self.latency.saturating_record(us);
            self.operations
                .entry(op)
                .or_insert_with(|| Histogram::new_from(&self.latency))
                .saturating_record(us);
        }
        for what in rec.counts {
            *self.counts.entry(what).or_default() += 1;
        }
        if rec.problems.is_empty() {
            self.iterations += 1;
            self.iteration_latency
                .saturating_record(micros(finished.saturating_duration_since(rec.started)));
        }
        self.errors += rec.problems.len() as u64;
        for problem in rec.problems {
            self.note_problem(problem);
        }
    }

    fn note_problem(&mut self, problem: String) {
        if self.problems.len() < PROBLEM_EXAMPLES && !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    fn merge(&mut self, other: Self) -> anyhow::Result<()> {
        self.requests += other.requests;
        self.errors += other.errors;
        self.latency.add(&other.latency)?;
        self.iterations += other.iterations;
        self.iteration_latency.add(&other.iteration_latency)?;
        for (op, histogram) in other.operations {
            match self.operations.get_mut(op) {
                Some(mine) => mine.add(&histogram)?,
                None => {
                    self.operations.insert(op, histogram);
                }
            }
        }
        for (what, n) in other.counts {
            *self.counts.entry(what).or_default() += n;
        }
        for problem in other.problems {
            self.note_problem(problem);
        }
        self.schedule_lag.add(&other.schedule_lag)?;
        self.unsent += other.unsent;
        self.throttled += other.throttled;
        Ok(())
    }
}

/// Statistics split into shards so that concurrent tasks seldom contend for one lock.
struct Shards(Vec<Mutex<Stats>>);

impl Shards {
    fn new() -> anyhow::Result<Self> {
        (0..SHARDS)
            .map(|_| Stats::new().map(Mutex::new))
            .collect::<anyhow::Result<_>>()
            .map(Self)
    }

    fn with(&self, key: usize, f: impl FnOnce(&mut Stats)) {
        let mut stats = self.0[key % SHARDS]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(&mut stats);
    }

    fn merged(self) -> anyhow::Result<Stats> {
        let mut total = Stats::new()?;
        for shard in self.0 {
            total.merge(shard.into_inner().unwrap_or_else(PoisonError::into_inner))?;
        }
        Ok(total)
    }
}

/// A finished run.
pub struct Measured {
    pub stats: Stats,
    /// The scenario's [`Scenario::counters`].
    pub counters: &'static [&'static str],
    /// From the first iteration's start to the last one's end.
    pub elapsed: Duration,
}

/// Runs `scenario` under `model` for `duration`, then waits for the iterations under way.
pub async fn run<S: Scenario>(
    scenario: &Arc<S>,
    gql: &Gql,
    model: Model,
    duration: Duration,
) -> anyhow::Result<Measured> {
    let shards = Arc::new(Shards::new()?);
    let started = Instant::now();
    match model {
        Model::Closed { concurrency } => {
            closed_loop(scenario, gql, &shards, started, concurrency, duration).await?;
        }
        Model::Open {
            rate,
            max_in_flight,
        } => {
            open_loop(
                scenario,
                gql,
                &shards,
                started,
                rate,
                max_in_flight,
                duration,
            )
            .await?;
        }
    }
    let elapsed = started.elapsed();
    let shards = Arc::into_inner(shards).context("a task still holds the statistics")?;
    Ok(Measured {
        stats: shards.merged()?,
        counters: scenario.counters(),
        elapsed,
    })
}

async fn closed_loop<S: Scenario>(
    scenario: &Arc<S>,
    gql: &Gql,
    shards: &Arc<Shards>,
    started: Instant,
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<()> {
    let deadline = started + duration;
    let mut users = JoinSet::new();
    for user in 0..concurrency {
        let (scenario, gql, shards) = (scenario.clone(), gql.clone(), shards.clone());
        users.spawn(async move {
            while Instant::now() < deadline {
                let mut rec = Rec::new(gql.clone(), Instant::now());
                scenario.iteration(&mut rec).await;
                let finished = Instant::now();
                shards.with(user, |stats| stats.absorb(rec, finished));
            }
        });
    }
    while let Some(done) = users.join_next().await {
        done.context("a virtual user panicked")?;
    }
    Ok(())
}

async fn open_loop<S: Scenario>(
    scenario: &Arc<S>,
    gql: &Gql,
    shards: &Arc<Shards>,
    started: Instant,
    rate: f64,
    max_in_flight: usize,
    duration: Duration,
) -> anyhow::Result<()> {
    let deadline = started + duration;
    // Arrivals scheduled within the duration: the i-th at started + i / rate.
    let scheduled = (duration.as_secs_f64() * rate).ceil() as u64;
    let slots = Arc::new(Semaphore::new(max_in_flight));
    let mut tasks = JoinSet::new();
    let (mut unsent, mut throttled) = (0, 0);
    for i in 0..scheduled {
        let due = started + Duration::from_secs_f64(i as f64 / rate);
        if due > Instant::now() {
            tokio::time::sleep_until(due.into()).await;
        }
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                throttled += 1;
                tokio::select! {
                    slot = slots.clone().acquire_owned() => slot?,
                    () = tokio::time::sleep_until(deadline.into()) => {
                        unsent = scheduled - i;
                        break;
                    }
                }
            }
        };
        let lag = micros(Instant::now().saturating_duration_since(due));
        let (scenario, gql, shards) = (scenario.clone(), gql.clone(), shards.clone());
        let key = i as usize;
        tasks.spawn(async move {
            let mut rec = Rec::new(gql, due);
            scenario.iteration(&mut rec).await;
            let finished = Instant::now();
            shards.with(key, |stats| {
                stats.schedule_lag.saturating_record(lag);
                stats.absorb(rec, finished);
            });
            drop(slot);
        });
        while let Some(done) = tasks.try_join_next() {
            done.context("an iteration panicked")?;
        }
    }
    while let Some(done) = tasks.join_next().await {
        done.context("an iteration panicked")?;
    }
    shards.with(0, |stats| {
        stats.unsent += unsent;
        stats.throttled += throttled;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absorbs_and_merges_samples() -> anyhow::Result<()> {
        let gql = Gql::new("http://127.0.0.1:9", 1, Duration::from_secs(1))?;
        let start = Instant::now();
        let mut rec = Rec::new(gql.clone(), start);
        rec.samples.push(("cartCreate", 1_000));
        rec.samples.push(("cartLinesAdd", 3_000));
        rec.count("orders");
        let mut a = Stats::new()?;
        a.absorb(rec, start + Duration::from_millis(4));

        let mut failed = Rec::new(gql, start);
        failed.samples.push(("cartCreate", 2_000));
        failed.fail("cartCreate", "boom");
        let mut b = Stats::new()?;
        b.absorb(failed, start + Duration::from_millis(2));

        a.merge(b)?;
        assert_eq!(a.requests, 3);
        assert_eq!(a.errors, 1);
        assert_eq!(a.iterations, 1);
        assert_eq!(a.counts.get("orders"), Some(&1));
        assert_eq!(a.operations.get("cartCreate").map(|h| h.len()), Some(2));
        assert_eq!(a.problems, vec!["cartCreate: boom".to_owned()]);
        assert!(a.iteration_latency.max() >= 4_000);
        Ok(())
    }
}
