//! The mail side of the outbox relay: in the relay's transaction, queue the mails its events
//! call for; after its commit, wake the sender.

use super::service::{compose, queue};
use crate::error::ApiResult;
use crate::events::DomainEvent;
use crate::events::relay::OutboxConsumer;
use crate::unit_of_work::Write;
use futures_util::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::Notify;

pub struct MailConsumer {
    /// The sender's (`MailWorker::new` takes the same).
    woken: Arc<Notify>,
}

impl MailConsumer {
    pub fn new(woken: Arc<Notify>) -> Self {
        Self { woken }
    }
}

impl OutboxConsumer for MailConsumer {
    fn name(&self) -> &'static str {
        "mail"
    }

    fn consume<'a>(
        &'a self,
        write: &'a mut Write,
        events: &'a [DomainEvent],
    ) -> BoxFuture<'a, ApiResult<bool>> {
        Box::pin(async move {
            let wanted = compose::mails_for_all(write.txn(), events).await?;
            queue::enqueue(write.txn(), &wanted).await?;
            Ok(!wanted.is_empty())
        })
    }

    fn wake(&self) {
        // A permit is kept if the sender is busy, so this wake is not lost.
        self.woken.notify_one();
    }
}
