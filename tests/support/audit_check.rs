//! The audit check: every staff mutation a test sends through `Endpoint::graphql_as` must
//! leave exactly one audit event per root field that succeeded, naming the staff member who
//! sent it. A refused field may leave one (a refund the provider declined is recorded) but
//! never more. A replay (the same document and variables sent again, e.g. a refund with the
//! same idempotency key) changes nothing: the identical requests together must leave at least
//! one event if any succeeded, and at most one per field. Requests carry their own `x-request-id`, which the
//! server writes on each event, so the check matches events to requests even when tests run
//! requests concurrently. It runs when the server that owns the database stops, with the
//! outbox check.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entities::audit_event;
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One staff mutation sent by a test.
#[derive(Debug)]
struct StaffMutation {
    request_id: String,
    /// The account id in the access token.
    actor: String,
    query: String,
    /// The sender, document and variables: identical requests are replays of each other.
    replay_key: String,
    /// Root fields that answered without errors or user errors.
    succeeded: usize,
    /// Root fields that ran (answered, or failed with an error at their path).
    ran: usize,
}

/// The staff mutations an endpoint sent (shared by its clones).
#[derive(Clone, Default)]
pub struct AuditLedger(Arc<Mutex<Vec<StaffMutation>>>);

/// The account id of a staff member's access token; `None` for customers and anything else.
fn staff_account(token: &str) -> Option<String> {
    let claims = token.split('.').nth(1)?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()?;
    claims.get("perms")?;
    claims["sub"].as_str().map(str::to_owned)
}

/// Whether `query` is a mutation document (comments and whitespace skipped).
fn is_mutation(query: &str) -> bool {
    query
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .is_some_and(|line| line.starts_with("mutation"))
}

/// How many root fields of `body` succeeded (a payload without user errors, and no error at
/// that field) and how many ran at all.
fn root_fields(body: &Value) -> (usize, usize) {
    let mut failed: Vec<&str> = body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["path"][0].as_str())
                .collect()
        })
        .unwrap_or_default();
    failed.sort();
    failed.dedup();
    let empty = serde_json::Map::new();
    let data = body["data"].as_object().unwrap_or(&empty);
    let succeeded = data
        .iter()
        .filter(|(key, payload)| {
            !failed.contains(&key.as_str())
                && !payload.is_null()
                && payload
                    .get("userErrors")
                    .is_none_or(|errors| errors.as_array().is_some_and(Vec::is_empty))
        })
        .count();
    let ran = data
        .keys()
        .filter(|key| !failed.contains(&key.as_str()))
        .count()
        + failed.len();
    (succeeded, ran)
}

impl AuditLedger {
    /// Notes the answer to a request, if it was a staff member's mutation.
    pub fn note(
        &self,
        token: Option<&str>,
        (query, variables): (&str, &Value),
        request_id: &str,
        body: &Value,
    ) {
        let Some(actor) = token.and_then(staff_account) else {
            return;
        };
        if !is_mutation(query) {
            return;
        }
        let (succeeded, ran) = root_fields(body);
        if let Ok(mut sent) = self.0.lock() {
            sent.push(StaffMutation {
                request_id: request_id.to_owned(),
                replay_key: format!("{actor}\n{query}\n{variables}"),
                actor,
                query: query.to_owned(),
                succeeded,
                ran,
            });
        }
    }

    /// Checks the audit log of `db` against the staff mutations sent.
    pub async fn verify(&self, db: &DatabaseConnection) -> anyhow::Result<()> {
        let sent: Vec<StaffMutation> = match self.0.lock() {
            Ok(mut sent) => std::mem::take(&mut *sent),
            Err(_) => return Ok(()),
        };
        if sent.is_empty() {
            return Ok(());
        }
        let mut by_request: HashMap<String, Vec<audit_event::Model>> = HashMap::new();
        for event in audit_event::Entity::find().all(db).await? {
            if let Some(id) = event.request_id.clone() {
                by_request.entry(id).or_default().push(event);
            }
        }
        let mut replays: HashMap<&str, Vec<&StaffMutation>> = HashMap::new();
        for mutation in &sent {
            replays
                .entry(&mutation.replay_key)
                .or_default()
                .push(mutation);
        }
        for group in replays.values() {
            let succeeded: usize = group.iter().map(|m| m.succeeded).sum();
            let ran: usize = group.iter().map(|m| m.ran).sum();
            let events: Vec<audit_event::Model> = group
                .iter()
                .flat_map(|m| by_request.remove(&m.request_id).unwrap_or_default())
                .collect();
            let least = match group.len() {
                1 => succeeded,
                _ => succeeded.min(1),
            };
            let query = &group[0].query;
            anyhow::ensure!(
                (least..=ran).contains(&events.len()),
                "audit check: {} request(s) with {succeeded} successful field(s) of {ran} left \
                 {} audit event(s) ({:?}), expected {least}..={ran}: {query}",
                group.len(),
                events.len(),
                events.iter().map(|e| &e.action).collect::<Vec<_>>(),
            );
            let actor = &group[0].actor;
            for event in events {
                anyhow::ensure!(
                    event.actor_id.to_string() == *actor,
                    "audit check: event {} (request {:?}) names {} instead of {actor}, the \
                     staff member who sent {query} ({} identical request(s))",
                    event.action,
                    event.request_id,
                    event.actor_id,
                    group.len()
                );
                anyhow::ensure!(
                    query.contains(event.action.as_str()),
                    "audit check: event action {} is not a field of {query}",
                    event.action,
                );
            }
        }
        Ok(())
    }
}
