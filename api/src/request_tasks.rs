//! Runs a request's DataLoader batches on the request's own task.
//!
//! async-graphql dispatches a batch on a spawned task after a short delay (1 ms). With
//! `tokio::spawn` that task can run on another worker thread while the request is still
//! registering keys, so under load one edge is sometimes fetched in two or three batches. Driving
//! the batches from the request's task instead means a batch starts only once the resolvers
//! that were ready have all registered their keys: one statement per edge kind, every time.
//! It also keeps task-locals (the statement counter) in scope without extra wiring.
//!
//! Resolving a list yields every 32 items (FuturesUnordered's cooperative budget) and wakes
//! itself, so one sweep over a page of products can span several polls. Batches are therefore
//! driven only when the request is waiting on something: a poll in which the request woke
//! itself leaves the batches alone.

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::task::{ArcWake, AtomicWaker, waker};
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

#[derive(Clone, Default)]
pub struct RequestTasks {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    queued: Mutex<Vec<BoxFuture<'static, ()>>>,
    waker: AtomicWaker,
}

impl Inner {
    fn take_queued(&self) -> Vec<BoxFuture<'static, ()>> {
        std::mem::take(
            &mut *self
                .queued
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    fn nothing_queued(&self) -> bool {
        self.queued
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_empty()
    }
}

impl RequestTasks {
    pub fn new() -> Self {
        Self::default()
    }

    /// A DataLoader spawner that hands tasks to [`RequestTasks::run`].
    pub fn spawner(&self) -> impl Fn(BoxFuture<'static, ()>) + Clone + Send + Sync + 'static {
        let inner = self.inner.clone();
        move |task| {
            inner
                .queued
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(task);
            inner.waker.wake();
        }
    }

    /// Drives `future` and, on the same task, every task spawned through [`Self::spawner`]
    /// until `future` completes.
    pub async fn run<F: Future>(&self, future: F) -> F::Output {
        let mut future = pin!(future);
        let mut running = FuturesUnordered::new();
        let request_waker = Arc::new(RequestWaker::default());
        let waker = waker(request_waker.clone());
        poll_fn(move |cx| {
            request_waker.task.register(cx.waker());
            request_waker.woken.store(false, Ordering::SeqCst);
            if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
                return Poll::Ready(output);
            }
            self.inner.waker.register(cx.waker());
            if request_waker.woken.load(Ordering::SeqCst) {
                // The request is mid-sweep and will be polled again right away.
                return Poll::Pending;
            }
            loop {
                running.extend(self.inner.take_queued());
                // Poll every ready task; finished ones leave the set.
                while let Poll::Ready(Some(())) = running.poll_next_unpin(cx) {}
                if self.inner.nothing_queued() {
                    return Poll::Pending;
                }
            }
        })
        .await
    }
}

/// Wakes the task and remembers that the request itself asked to be polled again.
#[derive(Default)]
struct RequestWaker {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl ArcWake for RequestWaker {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.woken.store(true, Ordering::SeqCst);
        arc_self.task.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn spawned_tasks_run_while_the_request_waits_for_them() {
        let tasks = RequestTasks::new();
        let spawn = tasks.spawner();
        let done = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = tokio::sync::oneshot::channel();
        let counter = done.clone();
        let output = tasks
            .run(async move {
                spawn(Box::pin(async move {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    counter.fetch_add(1, Ordering::SeqCst);
                    let _ = tx.send(42);
                }));
                rx.await.unwrap_or_default()
            })
            .await;
        assert_eq!(output, 42);
        assert_eq!(done.load(Ordering::SeqCst), 1);
    }
}
