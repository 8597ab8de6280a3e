//! GraphQL types of the audit log.

use super::service::diff::FieldChange;
use crate::common::pagination::PageInfo;
use async_graphql::{ID, InputObject, Json, SimpleObject};
use chrono::{DateTime, Utc};
use entities::audit_event;

/// One staff mutation: who, what, when, and what it changed.
#[derive(SimpleObject)]
pub struct AuditEvent {
    pub id: ID,
    pub actor: AuditActor,
    /// The mutation (`productUpdate`, `staffInvite`).
    pub action: String,
    /// What it changed, when the service named it.
    pub target: Option<AuditTarget>,
    /// The changed fields, before and after; a mutation whose services did not describe its
    /// change lists its arguments (as `after`). Secret values read `[REDACTED]`.
    pub changes: Vec<AuditChange>,
    pub at: DateTime<Utc>,
    /// The `x-request-id` of the request (matches the server's logs).
    pub request_id: Option<String>,
}

/// The staff account that made a change.
#[derive(SimpleObject)]
pub struct AuditActor {
    pub id: ID,
    /// Null once the account is gone.
    pub email: Option<String>,
}

#[derive(SimpleObject)]
pub struct AuditTarget {
    /// The kind of thing (`Product`, `Role`, `StaffMember`).
    #[graphql(name = "type")]
    pub kind: String,
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct AuditChange {
    pub field: String,
    pub before: Option<Json<serde_json::Value>>,
    pub after: Option<Json<serde_json::Value>>,
}

#[derive(SimpleObject)]
pub struct AuditEventConnection {
    pub nodes: Vec<AuditEvent>,
    /// Cursors are event ids; pass `endCursor` as `after` for the next page.
    pub page_info: PageInfo,
}

/// Which audit events to list; the parts given must all match.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    pub actor_id: Option<ID>,
    pub target_id: Option<ID>,
    /// A mutation name, e.g. `staffDeactivate`.
    pub action: Option<String>,
    /// At or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub to: Option<DateTime<Utc>>,
}

impl AuditEvent {
    pub fn from_model(model: audit_event::Model, actor_email: Option<String>) -> Self {
        let value = |v: serde_json::Value| (!v.is_null()).then_some(Json(v));
        let changes: Vec<FieldChange> = serde_json::from_value(model.changes).unwrap_or_default();
        Self {
            id: ID(model.id.to_string()),
            actor: AuditActor {
                id: ID(model.actor_id.to_string()),
                email: actor_email,
            },
            action: model.action,
            target: model
                .target_type
                .zip(model.target_id)
                .map(|(kind, id)| AuditTarget { kind, id: ID(id) }),
            changes: changes
                .into_iter()
                .map(|c| AuditChange {
                    field: c.field,
                    before: value(c.before),
                    after: value(c.after),
                })
                .collect(),
            at: model.created_at,
            request_id: model.request_id,
        }
    }
}
