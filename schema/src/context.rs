//! What a resolver can reach: the application state shared by all requests and the data of
//! the current request (who is asking, its DataLoaders).

use crate::carts::service::CartRules;
use crate::catalog::loaders::CatalogLoader;
use crate::common::budget::{Budgets, ClientId};
use crate::common::money::CurrencyCode;
use crate::customers::auth::TokenIssuer;
use crate::customers::sessions::{SessionEnd, SessionRevocations, TokenSession};
pub use crate::customers::viewer::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::events::EventHub;
use crate::inventory::loaders::InventoryLoader;
use crate::orders::loaders::OrderLoader;
use crate::payments::PaymentProviders;
use crate::response_cache::ReadDependencies;
use crate::webhooks::service::{WebhookRuntime, WebhookSettings};
use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache};
use futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Settings the schema needs; built once from the server configuration.
#[derive(Clone, Debug)]
pub struct SchemaSettings {
    /// Currency used when a query names none.
    pub default_currency: CurrencyCode,
    /// Largest `first`/`last` a connection accepts.
    pub max_page_size: u64,
    /// `lowStock` reports variants at or below this availability unless the variant has its
    /// own threshold.
    pub low_stock_threshold: i32,
    /// Cart limits, shipping and tax.
    pub cart_rules: CartRules,
    /// Days after delivery a customer may ask to return units (`RETURN_WINDOW_DAYS`).
    pub return_window_days: u32,
    /// Outgoing webhooks: the SSRF rules, retries, when a failing webhook is switched off.
    pub webhooks: WebhookSettings,
    /// Mail: sender, storefront links, the secret behind unsubscribe links, retries.
    pub mail: crate::notifications::MailSettings,
    /// Where browsers reach this server (`PUBLIC_URL`, no trailing slash): the base of
    /// `Cart.checkoutUrl`, the hosted checkout.
    pub public_url: String,
}

impl Default for SchemaSettings {
    fn default() -> Self {
        Self {
            default_currency: CurrencyCode::Usd,
            max_page_size: 100,
            low_stock_threshold: 5,
            cart_rules: CartRules::default(),
            return_window_days: 30,
            webhooks: WebhookSettings::default(),
            mail: crate::notifications::MailSettings::default(),
            public_url: "http://127.0.0.1:8000".to_owned(),
        }
    }
}

/// Shared, cheap-to-clone application state, stored in the schema's data.
#[derive(Clone)]
pub struct AppState {
    /// The primary: every write, and every read that must see the latest write.
    pub db: DatabaseConnection,
    /// Where public catalog reads go: a read replica (`DATABASE_READ_URL`), or the primary.
    pub catalog_reads: DatabaseConnection,
    pub settings: Arc<SchemaSettings>,
    /// Where committed events are published and subscriptions listen.
    pub events: Arc<EventHub>,
    /// Signs and checks access tokens.
    pub tokens: Arc<TokenIssuer>,
    /// Sessions ended before their access tokens expire (sign-out), on every replica.
    pub sessions: Arc<SessionRevocations>,
    /// Per-client (and per-cart) allowances: sign-ins, discount codes.
    pub budgets: Arc<dyn Budgets>,
    /// Payment providers checkout may use, by name.
    pub payments: PaymentProviders,
    /// The search engine (tantivy embedded, or Meilisearch).
    pub search: Arc<crate::search::SearchService>,
    /// Wakes this process's webhook delivery worker; its counters.
    pub webhooks: Arc<WebhookRuntime>,
}

impl AppState {
    /// Where this state's units of work begin (the primary, and the hub that publishes).
    pub fn writer(&self) -> crate::unit_of_work::Writer {
        crate::unit_of_work::Writer::new(self.db.clone(), self.events.clone())
    }
}

/// Per-request data: the viewer and request-scoped DataLoaders (their caches never outlive
/// the request, so one user's view can never leak into another's).
pub struct RequestData {
    pub viewer: Viewer,
    /// On websocket connections: the cap on concurrently open subscriptions.
    pub subscription_slots: Option<Arc<SubscriptionSlots>>,
    /// For a subscription that takes over from a shared one its subscriber fell behind on:
    /// when that subscriber last heard anything. Live stock starts by re-stating what changed
    /// since (`resync: true`), as a subscription that falls behind on its own does.
    pub resync_from: Option<chrono::DateTime<chrono::Utc>>,
    /// The access token's session: on websocket connections, operations stop when it ends
    /// (expiry, sign-out), and so do subscriptions that need the account (see `session_end`);
    /// on HTTP it names the session a password change keeps.
    pub session: Option<TokenSession>,
    /// Who the request is counted against for allowances (`common::budget`); `None` when it
    /// does not come through the server.
    pub client: Option<ClientId>,
    /// The request's `x-request-id` (for a websocket, the upgrade request's), for the audit
    /// log.
    pub request_id: Option<String>,
    pub catalog: DataLoader<CatalogLoader, HashMapCache>,
    pub inventory: DataLoader<InventoryLoader, HashMapCache>,
    pub orders: DataLoader<OrderLoader, HashMapCache>,
    /// What the answer depended on, for the response cache.
    pub reads: Arc<ReadDependencies>,
    /// Where this request reads the catalog: the read replica for shoppers, the primary for
    /// staff, who must see what they just changed.
    pub catalog_db: DatabaseConnection,
    /// Malformed `_entities` representations already reported (see `crate::federation`).
    pub entity_reports: EntityReports,
}

impl RequestData {
    /// `spawner` runs DataLoader batches; the server passes one that keeps the request's
    /// statement counter in scope.
    pub fn new<S, R>(state: &AppState, viewer: Viewer, spawner: S) -> Self
    where
        S: Fn(BoxFuture<'static, ()>) -> R + Clone + Send + Sync + 'static,
    {
        let catalog_db = if matches!(viewer, Viewer::Staff { .. }) {
            state.db.clone()
        } else {
            state.catalog_reads.clone()
        };
        let db = &state.db;
        let reads = Arc::new(ReadDependencies::default());
        Self {
            viewer,
            subscription_slots: None,
            resync_from: None,
            session: None,
            client: None,
            request_id: None,
            catalog: DataLoader::with_cache(
                CatalogLoader::new(catalog_db.clone(), reads.clone()),
                spawner.clone(),
                HashMapCache::default(),
            ),
            inventory: DataLoader::with_cache(
                InventoryLoader::new(catalog_db.clone(), reads.clone()),
                spawner.clone(),
                HashMapCache::default(),
            ),
            orders: DataLoader::with_cache(
                OrderLoader::new(db.clone()),
                spawner,
                HashMapCache::default(),
            ),
            reads,
            catalog_db,
            entity_reports: Default::default(),
        }
    }

    /// For a websocket connection or a subscription's execution: it lives as long as they
    /// do, so none of its loaders caches (every event and every operation on the connection
    /// reads current data: an order's second shipment must not meet the first one's cached
    /// list), and its batches run on their own tasks.
    pub fn long_lived(state: &AppState, viewer: Viewer) -> Self {
        let data = Self::new(state, viewer, |batch| {
            tokio::spawn(batch);
        });
        data.catalog.enable_all_cache(false);
        data.inventory.enable_all_cache(false);
        data.orders.enable_all_cache(false);
        data
    }
}

/// The malformed `_entities` representations already reported in this request (see
/// `crate::federation`): (line and column of the `_entities` field, index).
#[derive(Debug, Default)]
pub struct EntityReports(Mutex<HashSet<(usize, usize, usize)>>);

impl EntityReports {
    /// The first of `indices` not reported yet at the field at `(line, column)`, now marked
    /// reported.
    pub fn first_unreported(
        &self,
        (line, column): (usize, usize),
        indices: Vec<usize>,
    ) -> Option<usize> {
        let mut reported = self.0.lock().ok()?;
        indices
            .into_iter()
            .find(|&i| reported.insert((line, column, i)))
    }
}

/// Typed access to context data; a missing entry is a wiring bug, reported as INTERNAL.
pub trait ContextExt {
    fn state(&self) -> ApiResult<&AppState>;
    fn request(&self) -> ApiResult<&RequestData>;
    /// Where a mutation's units of work begin. For a staff member it also carries who acts,
    /// the mutation and the request id, so each unit it commits is in the audit log.
    fn writer(&self) -> ApiResult<crate::unit_of_work::Writer>;
}

impl ContextExt for Context<'_> {
    fn state(&self) -> ApiResult<&AppState> {
        self.data::<AppState>()
            .map_err(|_| ApiError::Internal("AppState missing from schema data".into()))
    }

    fn request(&self) -> ApiResult<&RequestData> {
        self.data::<RequestData>()
            .map_err(|_| ApiError::Internal("RequestData missing from request data".into()))
    }

    fn writer(&self) -> ApiResult<crate::unit_of_work::Writer> {
        let writer = self.state()?.writer();
        let request = self.request()?;
        let Viewer::Staff { id, .. } = &request.viewer else {
            return Ok(writer);
        };
        let field = self.field();
        let arguments = field
            .arguments()
            .map(|arguments| {
                serde_json::Value::Object(
                    arguments
                        .into_iter()
                        .map(|(name, value)| {
                            let value = value.into_json().unwrap_or_default();
                            (name.to_string(), value)
                        })
                        .collect(),
                )
            })
            .unwrap_or_default();
        let actor = crate::audit::Actor::new(
            *id,
            field.name().to_owned(),
            arguments,
            request.request_id.clone(),
        );
        Ok(writer.acting_for(actor))
    }
}

/// Counts the subscriptions open on one websocket connection.
#[derive(Debug)]
pub struct SubscriptionSlots {
    open: std::sync::atomic::AtomicUsize,
    max: usize,
}

/// Frees its slot when the subscription's stream is dropped (completed or cancelled).
#[derive(Debug)]
pub struct SubscriptionSlot(Arc<SubscriptionSlots>);

impl SubscriptionSlots {
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            open: std::sync::atomic::AtomicUsize::new(0),
            max,
        })
    }

    /// Takes a slot, or refuses when the connection already has `max` subscriptions.
    pub fn acquire(self: &Arc<Self>) -> ApiResult<SubscriptionSlot> {
        use std::sync::atomic::Ordering;
        let taken = self
            .open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < self.max).then_some(open + 1)
            });
        match taken {
            Ok(_) => Ok(SubscriptionSlot(self.clone())),
            Err(_) => Err(ApiError::bad_input(format!(
                "a connection may hold at most {} subscriptions; complete one first",
                self.max
            ))),
        }
    }
}

impl Drop for SubscriptionSlot {
    fn drop(&mut self) {
        self.0
            .open
            .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

impl RequestData {
    /// Resolves when the connection's session ends; `None` without one (HTTP, anonymous).
    /// Subscriptions that need the account end with it (`sessions::until_session_ends`).
    pub fn session_end(&self, state: &AppState) -> Option<SessionEnd> {
        self.session
            .clone()
            .map(|session| state.sessions.end_of(session))
    }

    /// A slot for a new subscription (no cap outside websocket connections).
    pub fn subscription_slot(&self) -> ApiResult<Option<SubscriptionSlot>> {
        self.subscription_slots
            .as_ref()
            .map(SubscriptionSlots::acquire)
            .transpose()
    }
}
