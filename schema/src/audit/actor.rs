//! Who a mutation's units of work act for.

use serde_json::Value;
use std::sync::Mutex;
use uuid::Uuid;

/// A staff member running one mutation (one root field: a document with two staff
/// mutations has two actors and leaves two audit events).
#[derive(Debug)]
pub struct Actor {
    pub account_id: Uuid,
    /// The mutation's field name (`productUpdate`).
    pub action: String,
    /// The mutation's arguments, secrets redacted: what the log says when no service
    /// described its change.
    pub arguments: Value,
    /// The `x-request-id` of the request, for matching the log against server logs.
    pub request_id: Option<String>,
    /// The mutation's audit row once a unit of it committed (later units update it).
    pub(super) logged: Mutex<Option<super::service::LoggedEntry>>,
}

impl Actor {
    pub fn new(
        account_id: Uuid,
        action: String,
        arguments: Value,
        request_id: Option<String>,
    ) -> Self {
        Self {
            account_id,
            action,
            arguments: super::service::redact::redact(arguments),
            // Clients may send their own `x-request-id`: kept, but no longer than the column.
            request_id: request_id.map(|id| id.chars().take(64).collect()),
            logged: Mutex::new(None),
        }
    }
}
