//! Shared subscriptions: one execution per distinct document, operation and variables, its
//! answers handed to every subscriber who sent the same (`schema::subscription_sharing` says
//! which subscriptions may be shared).
//!
//! Without this, every subscriber's subscription listened to the event hub itself and
//! resolved and serialised each event on its own: a stock change watched by 10,000 sockets
//! was resolved 10,000 times. A feed resolves it once; each subscriber receives the same
//! `Arc` of the answer and only writes it to its socket.
//!
//! - A feed starts with its first subscriber and stops when its last one leaves.
//! - A feed runs as an anonymous viewer (the answer of a shareable subscription does not
//!   depend on the viewer), through the same guards as any websocket operation; a refusal
//!   (bad arguments, a document over a limit) reaches every subscriber that joined.
//! - A subscriber whose socket is slow falls behind the feed; once it is `FEED_BUFFER` answers
//!   behind (or `EVENT_BUFFER`, the event hub's capacity, when that is smaller), it leaves the
//!   feed and continues on an execution of its own that first re-states what changed since
//!   its last answer (`resync: true`), just as an unshared subscription that falls behind the
//!   hub does.

use async_graphql::{Data, Executor as _, Request, Response};
use chrono::{DateTime, Utc};
use futures_util::stream::{self, BoxStream, StreamExt};
use schema::{AppState, GuardedSchema, RequestData, Viewer};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::task::AbortHandle;

/// Runs a subscription request as an anonymous viewer; with a time, the subscription first
/// re-states what changed since then.
pub type Runner =
    Arc<dyn Fn(Request, Option<DateTime<Utc>>) -> BoxStream<'static, Response> + Send + Sync>;

/// Most answers a subscriber may fall behind its feed before it leaves it (fewer when
/// `EVENT_BUFFER` is smaller). A feed's channel holds this many answers whatever its number of
/// subscribers, so it is kept small: many feeds of one subscriber each must stay cheap.
pub const FEED_BUFFER: usize = 64;

/// The live feeds of one server.
pub struct SubscriptionFeeds {
    feeds: Arc<Mutex<HashMap<FeedKey, Weak<Feed>>>>,
    /// Answers a subscriber may fall behind before it leaves its feed.
    buffer: usize,
    runner: Runner,
    /// Subscribers on a feed now.
    followers: Arc<AtomicUsize>,
}

/// What makes two subscriptions the same.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct FeedKey {
    query: String,
    operation_name: Option<String>,
    /// The variables as JSON (in the order sent: the same variables written in another
    /// order make another feed, which is only less sharing).
    variables: String,
}

impl FeedKey {
    fn of(request: &Request) -> Self {
        Self {
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
            variables: serde_json::to_string(&request.variables).unwrap_or_default(),
        }
    }

    fn request(&self) -> Request {
        let mut request = Request::new(self.query.clone());
        request.operation_name = self.operation_name.clone();
        if let Ok(variables) = serde_json::from_str(&self.variables) {
            request.variables = variables;
        }
        request
    }
}

/// One answer of a feed, and when the feed produced it.
struct Delivery {
    response: Response,
    at: DateTime<Utc>,
}

/// One shared execution; alive while a subscriber holds it.
struct Feed {
    key: FeedKey,
    /// The running execution holds the only strong sender: when it ends, subscribers see the
    /// channel close.
    sender: broadcast::WeakSender<Arc<Delivery>>,
    /// The execution's last answer when it ended with errors (a refusal), for a subscriber that
    /// joined too late to receive it.
    refusal: Arc<OnceLock<Arc<Delivery>>>,
    run: AbortHandle,
    registry: Weak<Mutex<HashMap<FeedKey, Weak<Feed>>>>,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.run.abort();
        let Some(registry) = self.registry.upgrade() else {
            return;
        };
        let mut feeds = registry.lock().unwrap_or_else(PoisonError::into_inner);
        // A new feed may already stand under the same key; remove only this dead one.
        if feeds
            .get(&self.key)
            .is_some_and(|feed| feed.strong_count() == 0)
        {
            feeds.remove(&self.key);
        }
    }
}

impl SubscriptionFeeds {
    /// Feeds whose subscribers may fall `buffer` answers behind, run by `runner`.
    pub fn new(buffer: usize, runner: Runner) -> Self {
        Self {
            feeds: Arc::default(),
            buffer: buffer.clamp(1, FEED_BUFFER),
            runner,
            followers: Arc::default(),
        }
    }

    /// Feeds running now.
    pub fn live(&self) -> usize {
        let feeds = self.feeds.lock().unwrap_or_else(PoisonError::into_inner);
        feeds
            .values()
            .filter(|feed| feed.strong_count() > 0)
            .count()
    }

    /// Subscribers on a feed now.
    pub fn followers(&self) -> usize {
        self.followers.load(Ordering::Relaxed)
    }

    /// The answers of `request` for one subscriber: from the feed of identical requests,
    /// started now if there is none. `keep` (the subscriber's subscription slot) lives as
    /// long as the stream.
    pub fn join<K: Send + 'static>(
        &self,
        request: &Request,
        keep: K,
    ) -> BoxStream<'static, Response> {
        let key = FeedKey::of(request);
        let joined = now();
        // Feeds found dead or ended are dropped after the lock is released (a feed's drop
        // takes the lock to remove itself).
        let mut stale = None;
        let (feed, receiver) = {
            let mut feeds = self.feeds.lock().unwrap_or_else(PoisonError::into_inner);
            let running = feeds.get(&key).and_then(Weak::upgrade);
            let subscribed = running.and_then(|feed| match feed.sender.upgrade() {
                Some(sender) => Some((feed.clone(), sender.subscribe())),
                None => {
                    stale = Some(feed);
                    None
                }
            });
            match subscribed {
                Some(subscribed) => subscribed,
                None => {
                    let (feed, receiver) = self.start(key.clone());
                    feeds.insert(key, Arc::downgrade(&feed));
                    (feed, receiver)
                }
            }
        };
        drop(stale);
        let follower = Follower {
            state: Following::Feed {
                feed,
                receiver,
                last: None,
                _counted: Counted::new(&self.followers),
            },
            since: joined,
            runner: self.runner.clone(),
            _keep: keep,
        };
        stream::unfold(follower, |mut follower| async move {
            let response = follower.next().await?;
            Some((response, follower))
        })
        .boxed()
    }

    /// Starts the execution of a new feed; its first subscriber's receiver exists before it
    /// runs, so not even an immediate refusal is missed.
    fn start(&self, key: FeedKey) -> (Arc<Feed>, broadcast::Receiver<Arc<Delivery>>) {
        let (sender, receiver) = broadcast::channel(self.buffer);
        let refusal = Arc::new(OnceLock::new());
        let mut responses = (self.runner)(key.request(), None);
        let weak_sender = sender.downgrade();
        let ended = refusal.clone();
        let run = tokio::spawn(async move {
            let mut last = None;
            while let Some(response) = responses.next().await {
                let delivery = Arc::new(Delivery {
                    response,
                    at: now(),
                });
                last = Some(delivery.clone());
                // No receiver right now is fine: the feed is stopping or a joiner comes.
                let _ = sender.send(delivery);
            }
            if let Some(last) = last.filter(|last| !last.response.errors.is_empty()) {
                let _ = ended.set(last);
            }
            // Only now may subscribers see the channel close: the refusal is in place.
            drop(sender);
        })
        .abort_handle();
        let feed = Arc::new(Feed {
            key,
            sender: weak_sender,
            refusal,
            run,
            registry: Arc::downgrade(&self.feeds),
        });
        (feed, receiver)
    }
}

/// One subscriber's place: on a feed, or, after falling behind, on its own execution.
struct Follower<K> {
    state: Following,
    /// When the subscriber last heard anything (or joined): what a resync re-states from.
    since: DateTime<Utc>,
    runner: Runner,
    _keep: K,
}

enum Following {
    Feed {
        feed: Arc<Feed>,
        receiver: broadcast::Receiver<Arc<Delivery>>,
        last: Option<Arc<Delivery>>,
        _counted: Counted,
    },
    Alone(BoxStream<'static, Response>),
    Done,
}

impl<K> Follower<K> {
    async fn next(&mut self) -> Option<Response> {
        loop {
            match &mut self.state {
                Following::Feed {
                    feed,
                    receiver,
                    last,
                    ..
                } => match receiver.recv().await {
                    Ok(delivery) => {
                        self.since = delivery.at;
                        let response = copy(&delivery.response);
                        *last = Some(delivery);
                        return Some(response);
                    }
                    Err(RecvError::Lagged(_)) => {
                        let request = feed.key.request();
                        self.state = Following::Alone((self.runner)(request, Some(self.since)));
                    }
                    Err(RecvError::Closed) => {
                        // The execution ended; a refusal this subscriber joined too late to
                        // receive is still its answer.
                        let missed = feed.refusal.get().filter(|refusal| {
                            !last.as_ref().is_some_and(|last| Arc::ptr_eq(last, refusal))
                        });
                        let response = missed.map(|refusal| copy(&refusal.response));
                        self.state = Following::Done;
                        return response;
                    }
                },
                Following::Alone(responses) => return responses.next().await,
                Following::Done => return None,
            }
        }
    }
}

/// One follower in the count, while it lives.
struct Counted(Arc<AtomicUsize>);

impl Counted {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Self(count.clone())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Runs shared subscriptions through `schema`, as an anonymous viewer, with the same guards
/// as any websocket operation.
pub fn anonymous_runner(schema: GuardedSchema, app: AppState) -> Runner {
    Arc::new(move |request, resync_from| {
        let mut request_data = RequestData::long_lived(&app, Viewer::Anonymous);
        request_data.resync_from = resync_from;
        let mut data = Data::default();
        data.insert(request_data);
        schema.execute_stream(request, Some(Arc::new(data)))
    })
}

/// Each subscriber's copy of a shared answer (async-graphql's protocol takes it by value; the
/// answer of a live subscription is a few small values).
fn copy(response: &Response) -> Response {
    let mut copy = Response::new(response.data.clone());
    copy.extensions = response.extensions.clone();
    copy.cache_control = response.cache_control;
    copy.errors = response.errors.clone();
    copy.http_headers = response.http_headers.clone();
    copy
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use async_graphql::{Name, Value};
    use tokio::sync::mpsc;

    fn answer(n: i32) -> Response {
        Response::new(Value::Object(
            [(Name::new("n"), Value::from(n))].into_iter().collect(),
        ))
    }

    fn refusal() -> Response {
        Response::from_errors(vec![async_graphql::ServerError::new("no", None)])
    }

    fn number(response: &Response) -> i64 {
        let Value::Object(fields) = &response.data else {
            panic!("no data: {response:?}");
        };
        match fields.get("n") {
            Some(Value::Number(n)) => n.as_i64().unwrap(),
            other => panic!("{other:?}"),
        }
    }

    /// A runner whose executions are driven by the test: each start hands the test the
    /// sender of that execution's answers, and the resync time it was given.
    struct Driven {
        runner: Runner,
        started: mpsc::UnboundedReceiver<(mpsc::UnboundedSender<Response>, Option<DateTime<Utc>>)>,
        starts: Arc<AtomicUsize>,
    }

    fn driven() -> Driven {
        let (to_test, started) = mpsc::unbounded_channel();
        let starts = Arc::new(AtomicUsize::new(0));
        let counted = starts.clone();
        let runner: Runner = Arc::new(move |_request, since| {
            counted.fetch_add(1, Ordering::SeqCst);
            let (answers, receiver) = mpsc::unbounded_channel();
            let _ = to_test.send((answers, since));
            tokio_stream_from(receiver)
        });
        Driven {
            runner,
            started,
            starts,
        }
    }

    fn tokio_stream_from(
        mut receiver: mpsc::UnboundedReceiver<Response>,
    ) -> BoxStream<'static, Response> {
        stream::poll_fn(move |cx| receiver.poll_recv(cx)).boxed()
    }

    fn watch(variant: &str) -> Request {
        Request::new("subscription($v:[ID!]){ stockChanged(variantIds:$v){ available } }")
            .variables(async_graphql::Variables::from_json(
                serde_json::json!({ "v": [variant] }),
            ))
    }

    #[tokio::test]
    async fn identical_subscriptions_share_one_execution() {
        let mut driven = driven();
        let feeds = SubscriptionFeeds::new(16, driven.runner.clone());
        let mut first = feeds.join(&watch("a"), ());
        let mut second = feeds.join(&watch("a"), ());
        let mut other = feeds.join(&watch("b"), ());
        assert_eq!(driven.starts.load(Ordering::SeqCst), 2);
        assert_eq!(feeds.live(), 2);
        let (a, _) = driven.started.recv().await.unwrap();
        let (b, _) = driven.started.recv().await.unwrap();
        a.send(answer(1)).unwrap();
        b.send(answer(7)).unwrap();
        assert_eq!(number(&first.next().await.unwrap()), 1);
        assert_eq!(number(&second.next().await.unwrap()), 1);
        assert_eq!(number(&other.next().await.unwrap()), 7);

        // The feed stops with its last subscriber, not before.
        drop(first);
        assert_eq!(feeds.live(), 2);
        assert_eq!(feeds.followers(), 2);
        drop(second);
        assert_eq!(feeds.live(), 1);
        for _ in 0..100 {
            if a.is_closed() {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert!(a.is_closed(), "the feed's execution was stopped");
        drop(other);
        assert_eq!(feeds.live(), 0);
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_continues_alone_from_its_last_answer() {
        let mut driven = driven();
        let feeds = SubscriptionFeeds::new(2, driven.runner.clone());
        let mut slow = feeds.join(&watch("a"), ());
        let mut quick = feeds.join(&watch("a"), ());
        let (shared, _) = driven.started.recv().await.unwrap();
        shared.send(answer(1)).unwrap();
        assert_eq!(number(&slow.next().await.unwrap()), 1);
        assert_eq!(number(&quick.next().await.unwrap()), 1);
        let heard_at = Utc::now();

        // Five answers while the slow one reads nothing: it is more than 2 behind.
        for n in 2..=6 {
            shared.send(answer(n)).unwrap();
            assert_eq!(number(&quick.next().await.unwrap()), i64::from(n));
        }
        let resumed = slow.next();
        let (alone, since) = tokio::select! {
            started = driven.started.recv() => started.unwrap(),
            _ = resumed => panic!("answered before an execution of its own started"),
        };
        let since = since.expect("the new execution re-states from a time");
        assert!(
            since <= heard_at,
            "{since} is after its last answer at {heard_at}"
        );
        alone.send(answer(100)).unwrap();
        assert_eq!(number(&slow.next().await.unwrap()), 100);
        assert_eq!(feeds.followers(), 1, "the slow one left the feed");
        // The quick one stays on the feed.
        shared.send(answer(7)).unwrap();
        assert_eq!(number(&quick.next().await.unwrap()), 7);
        assert_eq!(driven.starts.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_refusal_reaches_subscribers_that_joined_late_and_a_new_feed_starts_after() {
        let mut driven = driven();
        let feeds = SubscriptionFeeds::new(16, driven.runner.clone());
        let mut first = feeds.join(&watch("a"), ());
        let (answers, _) = driven.started.recv().await.unwrap();
        answers.send(refusal()).unwrap();
        let refused = first.next().await.unwrap();
        assert_eq!(refused.errors[0].message, "no");
        let mut late = feeds.join(&watch("a"), ());
        drop(answers);
        assert!(first.next().await.is_none());
        // Joined the ended feed, or a new one whose execution the test now refuses too.
        if driven.starts.load(Ordering::SeqCst) == 2 {
            let (again, _) = driven.started.recv().await.unwrap();
            again
                .send(Response::from_errors(vec![
                    async_graphql::ServerError::new("no", None),
                ]))
                .unwrap();
        }
        assert_eq!(late.next().await.unwrap().errors[0].message, "no");
    }
}
