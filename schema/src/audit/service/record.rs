//! Writing a mutation's audit row, from inside the unit of work's transaction.

use super::diff::{self, FieldChange};
use crate::audit::Actor;
use crate::error::ApiResult;
use crate::unit_of_work::AuditNote;
use chrono::Utc;
use entities::audit_event;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

/// The audit row a mutation already wrote, and what it says so far.
#[derive(Clone, Debug)]
pub struct LoggedEntry {
    id: Uuid,
    target: Option<(String, String)>,
    changes: Vec<FieldChange>,
    /// Whether `changes` came from a service (rather than the arguments).
    described: bool,
}

/// What the actor's row should say once this unit (with `note`) commits, and whether it is
/// a new row.
fn next_entry(actor: &Actor, note: &AuditNote) -> (LoggedEntry, bool) {
    let logged = actor.logged.lock().ok().and_then(|entry| entry.clone());
    let described = note.before.is_some() || note.after.is_some();
    let noted_changes = || diff::diff(note.before.as_ref(), note.after.as_ref());
    let target = note
        .target
        .as_ref()
        .map(|(kind, id)| ((*kind).to_owned(), id.clone()));
    match logged {
        None => {
            let changes = if described {
                noted_changes()
            } else {
                diff::from_arguments(&actor.arguments)
            };
            let entry = LoggedEntry {
                id: Uuid::now_v7(),
                target,
                changes,
                described,
            };
            (entry, true)
        }
        Some(mut entry) => {
            if entry.target.is_none() {
                entry.target = target;
            }
            if described {
                if !entry.described {
                    entry.changes.clear();
                    entry.described = true;
                }
                entry.changes.extend(noted_changes());
            }
            (entry, false)
        }
    }
}

/// Writes (or, for a later unit of the same mutation, updates) the actor's audit row on
/// `txn`. Returns the entry to remember once the transaction commits.
pub async fn record(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    note: &AuditNote,
) -> ApiResult<LoggedEntry> {
    let (entry, is_new) = next_entry(actor, note);
    let changes = serde_json::to_value(&entry.changes).unwrap_or_default();
    let (target_type, target_id) = match &entry.target {
        Some((kind, id)) => (Some(kind.clone()), Some(id.clone())),
        None => (None, None),
    };
    let row = audit_event::ActiveModel {
        id: Set(entry.id),
        actor_id: Set(actor.account_id),
        action: Set(actor.action.clone()),
        target_type: Set(target_type),
        target_id: Set(target_id),
        changes: Set(changes),
        request_id: Set(actor.request_id.clone()),
        created_at: Set(Utc::now()),
    };
    if is_new {
        row.insert(txn).await?;
    } else {
        let mut row = row;
        row.created_at = sea_orm::ActiveValue::NotSet;
        row.update(txn).await?;
    }
    Ok(entry)
}

/// Remembers `entry` as the actor's row, after the unit that wrote it committed.
pub fn committed(actor: &Actor, entry: LoggedEntry) {
    if let Ok(mut logged) = actor.logged.lock() {
        *logged = Some(entry);
    }
}
