//! A real HTTP receiver for outgoing webhooks: an axum server on a loopback port that records
//! every request (headers and the raw body, exactly as sent) and answers 200, or 500 while
//! told to fail ([`WebhookReceiver::fail_next`], [`WebhookReceiver::fail_all`]).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    /// What the receiver answered.
    pub status: u16,
}

impl Received {
    /// A header's value (empty when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The message id (`webhook-id`).
    pub fn id(&self) -> &str {
        self.header("webhook-id")
    }

    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    /// Requests still to answer 500.
    fail_next: AtomicUsize,
    /// Answer 500 to everything.
    fail_all: AtomicBool,
}

pub struct WebhookReceiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl WebhookReceiver {
    pub async fn start() -> anyhow::Result<Self> {
        let shared = Arc::new(Shared::default());
        let router = Router::new()
            .route("/hooks", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self { addr, shared, task })
    }

    /// The URL to subscribe.
    pub fn url(&self) -> String {
        format!("http://{}/hooks", self.addr)
    }

    /// The next `n` requests are answered 500.
    pub fn fail_next(&self, n: usize) {
        self.shared.fail_next.store(n, Ordering::SeqCst);
    }

    /// Every request is answered 500 until told otherwise.
    pub fn fail_all(&self, fail: bool) {
        self.shared.fail_all.store(fail, Ordering::SeqCst);
    }

    /// Every request so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// The requests for message `id`.
    pub fn attempts_of(&self, id: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.id() == id)
            .collect()
    }

    /// Waits (up to `within`) until `done` holds for the requests received; returns them.
    pub async fn until(
        &self,
        within: Duration,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) -> anyhow::Result<Vec<Received>> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if done(&received) {
                return Ok(received);
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the receiver waited {within:?} for {what}; it got {} request(s): {:?}",
                received.len(),
                received
                    .iter()
                    .map(|r| (r.header("webhook-id").to_owned(), r.status))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until messages with every id in `ids` were accepted; returns the accepted
    /// requests.
    pub async fn until_accepted(
        &self,
        ids: &[String],
        within: Duration,
    ) -> anyhow::Result<Vec<Received>> {
        let received = self
            .until(within, "every message accepted", |received| {
                ids.iter()
                    .all(|id| received.iter().any(|r| r.accepted() && r.id() == id))
            })
            .await?;
        Ok(received.into_iter().filter(Received::accepted).collect())
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let fail = shared.fail_all.load(Ordering::SeqCst)
        || shared
            .fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
    let status = if fail {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    shared.received.lock().unwrap().push(Received {
        headers,
        body,
        status: status.as_u16(),
    });
    status
}
