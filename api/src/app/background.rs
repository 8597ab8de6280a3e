//! The tasks a server runs beside its requests, all stopped by its shutdown token and
//! tracked by `ServerState::background` so shutdown waits for them.

use crate::config::Config;
use crate::search;
use crate::state::ServerState;
use schema::events::relay::{OutboxRelay, RelaySettings};
use schema::inventory::service::back_in_stock::BackInStockNotifier;
use schema::notifications::service::mailer::Mailer;
use schema::notifications::service::worker::MailWorker;
use schema::notifications::{MailConsumer, MailStats};
use schema::orders::service::units_sold::UnitsSoldCounter;
use schema::search::embedded::TantivyBackend;
use schema::webhooks::service::queue::WebhookConsumer;
use schema::webhooks::service::worker::DeliveryWorker;
use std::sync::Arc;
use std::time::Duration;

/// Starts them: response-cache invalidation, sign-outs and shipping changes of other
/// replicas, the outbox relay (with its consumers: the back-in-stock notifier, the webhook
/// queue and the mail queue), the webhook delivery worker, the mail sender, the search sync,
/// the abandoned-cart sweep and the Redis event bridge, as configured.
pub async fn start(
    state: &ServerState,
    config: &Config,
    embedded: Option<Arc<TantivyBackend>>,
    mailer: Arc<dyn Mailer>,
) {
    // The relay's mail consumer, and units that queue mail themselves, wake the sender.
    let mail_woken = state.app.events.mail_wake();
    if state.response_cache.enabled() {
        let cache = state.response_cache.clone();
        let hub = state.app.events.clone();
        let stop = state.shutdown.clone();
        state
            .background
            .spawn(async move { cache.follow(hub, stop.cancelled_owned()).await });
    }
    {
        // Sessions signed out on any replica: those of the last access-token lifetime
        // before serving, then each as its event arrives.
        let sessions = state.app.sessions.clone();
        let events = state.app.events.subscribe();
        let db = state.app.db.clone();
        sessions.reload(&db).await;
        let stop = state.shutdown.clone();
        state
            .background
            .spawn(async move { sessions.follow(events, db, stop.cancelled_owned()).await });
    }
    {
        // Shipping changed on any replica: the configuration cart views are priced with is
        // read again.
        let rates = state.app.settings.cart_rules.shipping_rates.clone();
        let events = state.app.events.subscribe();
        let stop = state.shutdown.clone();
        state
            .background
            .spawn(async move { rates.follow(events, stop.cancelled_owned()).await });
    }
    if config.events.outbox_relay {
        let relay = OutboxRelay::new(
            state.app.db.clone(),
            state.app.events.clone(),
            RelaySettings {
                poll_interval: Duration::from_millis(config.events.outbox_poll_ms.max(10)),
                ..RelaySettings::default()
            },
        )
        .with_search(state.app.search.clone())
        .with_consumer(Arc::new(BackInStockNotifier))
        .with_consumer(Arc::new(UnitsSoldCounter))
        .with_consumer(Arc::new(WebhookConsumer::new(state.app.webhooks.clone())))
        .with_consumer(Arc::new(MailConsumer::new(mail_woken.clone())));
        let stop = state.shutdown.clone();
        state
            .background
            .spawn(async move { relay.run(stop.cancelled_owned()).await });
    }
    // Every process sends the deliveries that are due, whichever relay queued them: claims
    // keep two processes from sending one delivery.
    match DeliveryWorker::new(
        state.app.writer(),
        state.app.webhooks.clone(),
        state.app.settings.webhooks.clone(),
    ) {
        Ok(worker) => {
            let stop = state.shutdown.clone();
            state
                .background
                .spawn(async move { worker.run(stop.cancelled_owned()).await });
        }
        Err(err) => {
            tracing::error!(error = %err, "webhook deliveries cannot be sent by this process")
        }
    }
    // Every replica sends mail, whichever relay queued it: the queue's lease shares the work.
    let stats = Arc::new(MailStats::default());
    state.metrics.observe_mail(stats.clone());
    match MailWorker::new(
        state.app.writer(),
        mailer,
        state.app.settings.mail.clone(),
        stats,
        mail_woken,
    ) {
        Ok(worker) => {
            let stop = state.shutdown.clone();
            state
                .background
                .spawn(async move { worker.run(stop.cancelled_owned()).await });
        }
        // MAIL_FROM was checked at start; this cannot happen, and mail waits if it does.
        Err(err) => tracing::error!(error = %err, "the mail sender cannot start"),
    }
    search::spawn_background(
        config.search.search_sync,
        state.app.writer(),
        state.app.search.clone(),
        embedded,
        &state.background,
        state.shutdown.clone(),
    );
    if config.reminders.cart_abandoned_check_secs > 0 {
        let writer = state.app.writer();
        let after = config.reminders.cart_abandoned_after();
        let every = Duration::from_secs(config.reminders.cart_abandoned_check_secs);
        let stop = state.shutdown.clone();
        state.background.spawn(async move {
            schema::carts::service::abandoned::run(writer, after, every, stop.cancelled_owned())
                .await
        });
    }
    if state.redis.is_some() {
        let hub = state.app.events.clone();
        let stop = state.shutdown.clone();
        state.background.spawn(async move {
            schema::events::redis_bridge::run(hub, stop.cancelled_owned(), None).await
        });
    }
}
