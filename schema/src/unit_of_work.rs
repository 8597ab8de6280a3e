//! The unit of work: the one way a change reaches the database.
//!
//! ```text
//! let mut write = writer.begin().await?;      // a write transaction (IMMEDIATE on SQLite)
//! carts::reopen(&mut write, cart_id).await?;  // services of any context, composed
//! write.record(DomainEvent::…);               // what happened, for subscribers
//! write.commit().await?;                      // outbox rows (one INSERT), COMMIT, wake the relay
//! ```
//!
//! Services take `&mut Write` so that they compose inside one transaction (checkout, allocation,
//! discounts and cart; a decline releasing stock, giving discounts back and reopening the cart);
//! the service a resolver calls takes a [`Writer`] and begins and commits its own unit. The
//! events recorded are written to the outbox only at commit, in one INSERT, so an abandoned
//! unit (dropped: rolled back) leaves no event behind, and every commit that recorded events
//! wakes the relay: no writer can forget to.
//!
//! On SQLite a transaction that reads before it writes starts with a read lock and must upgrade
//! it at its first write; two such transactions deadlock and one fails with SQLITE_BUSY at once
//! (the busy timeout cannot help). Units therefore start IMMEDIATE there, taking the write lock
//! up front and queueing behind each other. PostgreSQL ignores the option.

use crate::audit::{self, Actor};
use crate::error::ApiResult;
use crate::events::{DomainEvent, EventHub, outbox};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Where units of work begin: the primary database and the hub whose relay publishes what they
/// record. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    db: DatabaseConnection,
    events: Arc<EventHub>,
    /// The staff member whose mutation this writer serves: each unit it commits is in the
    /// audit log (`crate::audit`).
    actor: Option<Arc<Actor>>,
}

impl Writer {
    pub fn new(db: DatabaseConnection, events: Arc<EventHub>) -> Self {
        Self {
            db,
            events,
            actor: None,
        }
    }

    /// This writer, its units logged as `actor`'s mutation.
    pub fn acting_for(self, actor: Actor) -> Self {
        Self {
            actor: Some(Arc::new(actor)),
            ..self
        }
    }

    /// Begins a unit of work.
    pub async fn begin(&self) -> ApiResult<Write> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(Write {
            txn: self.db.begin_with_options(options).await?,
            events: Vec::new(),
            hub: self.events.clone(),
            audit: Mutex::default(),
            actor: self.actor.clone(),
            mail_queued: AtomicBool::new(false),
        })
    }

    /// The primary, for reads outside a unit (which must see the latest commit).
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// One write transaction and the events it will publish. Dropping it rolls everything back.
pub struct Write {
    txn: DatabaseTransaction,
    events: Vec<DomainEvent>,
    hub: Arc<EventHub>,
    /// Behind a lock so that services holding `&Write` (order rows are locked through one)
    /// can name what they change.
    audit: Mutex<AuditNote>,
    actor: Option<Arc<Actor>>,
    /// The unit queued mail itself (`notifications::service::queue::enqueue_on`): the commit
    /// wakes the sender, so a reset link or an invitation goes out now, not at its next poll.
    mail_queued: AtomicBool,
}

/// What a unit says about itself for the audit log, when a staff member's mutation runs it:
/// the thing it changed and that thing before and after.
#[derive(Default)]
pub struct AuditNote {
    pub target: Option<(&'static str, String)>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Write {
    /// Names what this unit changed (`("Role", id)`), for the audit log of staff mutations.
    pub fn audit_target(&self, kind: &'static str, id: impl ToString) {
        if let Ok(mut note) = self.audit.lock() {
            note.target = Some((kind, id.to_string()));
        }
    }

    /// The changed thing before and after this unit (`None` for a creation's before or a
    /// deletion's after), for the audit log: only the fields that differ are kept, and secret
    /// fields (passwords, hashes, tokens, secrets) are never written.
    pub fn audit_change<T: serde::Serialize>(&self, before: Option<&T>, after: Option<&T>) {
        let json = |value: Option<&T>| value.and_then(|v| serde_json::to_value(v).ok());
        if let Ok(mut note) = self.audit.lock() {
            note.before = json(before);
            note.after = json(after);
        }
    }

    /// The transaction, for the statements of the unit (and reads that must see them).
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Records that `event` happened; it is published if and only if the unit commits.
    pub fn record(&mut self, event: DomainEvent) {
        self.events.push(event);
    }

    /// Notes that this unit queued mail (the commit wakes the sender).
    pub fn mail_queued(&self) {
        self.mail_queued.store(true, Ordering::Relaxed);
    }

    /// Records several events.
    pub fn record_all(&mut self, events: impl IntoIterator<Item = DomainEvent>) {
        self.events.extend(events);
    }

    /// Writes the recorded events to the outbox (one INSERT) and, for a staff member's
    /// mutation, its audit row; commits, and wakes the relay so the events are published now
    /// rather than at its next poll.
    pub async fn commit(self) -> ApiResult<()> {
        let Self {
            txn,
            events,
            hub,
            audit,
            actor,
            mail_queued,
        } = self;
        let logged = match &actor {
            Some(actor) => {
                let note = audit.into_inner().unwrap_or_default();
                Some(audit::service::record(&txn, actor, &note).await?)
            }
            None => None,
        };
        outbox::record_all(&txn, &events).await?;
        txn.commit().await?;
        if let (Some(actor), Some(entry)) = (&actor, logged) {
            audit::service::record::committed(actor, entry);
        }
        if !events.is_empty() {
            hub.wake_relay();
        }
        if mail_queued.into_inner() {
            hub.mail_wake().notify_one();
        }
        Ok(())
    }
}
