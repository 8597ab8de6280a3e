//! Brings events published through Redis into this process's hub.
//!
//! One subscriber connection per replica (not per websocket). Redis pub/sub is at most
//! once: whatever is published while the link is down is lost, so after every reconnect the
//! bridge tells local subscribers to resync.

use super::{BusMessage, DomainEvent, EventHub};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;

const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Forwards events from Redis until `shutdown` resolves. `subscribed` is notified each time
/// the subscription is (re-)established.
pub async fn run(
    hub: Arc<EventHub>,
    shutdown: impl Future<Output = ()>,
    subscribed: Option<tokio::sync::mpsc::UnboundedSender<()>>,
) {
    let Some((redis, channel)) = hub.redis_channel() else {
        return;
    };
    tokio::pin!(shutdown);
    let mut failures = 0u32;
    let mut connected_before = false;
    loop {
        let session = async {
            let mut pubsub = redis.client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        };
        let attempt = tokio::select! {
            () = &mut shutdown => return,
            attempt = session => attempt,
        };
        let mut pubsub = match attempt {
            Ok(pubsub) => pubsub,
            Err(err) => {
                failures = failures.saturating_add(1);
                let backoff = Duration::from_millis(100)
                    .saturating_mul(2u32.saturating_pow(failures.min(6)))
                    .min(MAX_BACKOFF);
                tracing::warn!(error = %err, "event bridge cannot subscribe to Redis; retrying");
                tokio::select! {
                    () = &mut shutdown => return,
                    () = tokio::time::sleep(backoff) => continue,
                }
            }
        };
        failures = 0;
        if connected_before {
            tracing::info!("event bridge re-subscribed to Redis; asking subscribers to resync");
            hub.stats().redis_resubscribed();
            hub.deliver_locally(BusMessage::Resync);
        }
        connected_before = true;
        if let Some(subscribed) = &subscribed {
            let _ = subscribed.send(());
        }
        let mut messages = pubsub.on_message();
        loop {
            let message = tokio::select! {
                () = &mut shutdown => return,
                message = messages.next() => message,
            };
            let Some(message) = message else {
                tracing::warn!("event bridge lost its Redis connection; reconnecting");
                break;
            };
            let payload: String = match message.get_payload() {
                Ok(payload) => payload,
                Err(err) => {
                    tracing::warn!(error = %err, "unreadable message on the event channel");
                    continue;
                }
            };
            match serde_json::from_str::<DomainEvent>(&payload) {
                Ok(event) => {
                    hub.stats().received_from_redis();
                    hub.deliver_locally(BusMessage::Event(event));
                }
                Err(err) => tracing::warn!(error = %err, "undecodable event on the event channel"),
            }
        }
    }
}
