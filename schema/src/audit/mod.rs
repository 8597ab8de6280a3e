//! The audit log: who on the staff changed what, when, and in which request.
//!
//! A staff member's mutation gets its writer from `ctx.writer()`, which carries an [`Actor`]
//! (the account, the mutation's name, its arguments and the request id). Every unit of work
//! begun from that writer writes the mutation's one `audit_events` row in its own
//! transaction (`service::record`): the first unit to commit inserts it, later units of the
//! same mutation update it. A service says what it changed with `write.audit_target` and
//! `write.audit_change` (before/after snapshots, diffed field by field); a mutation whose
//! services say nothing is logged with its arguments. Secret fields never reach the log
//! (`service::redact`). Staff with MANAGE_STAFF read it with `auditEvents`.

pub mod actor;
pub mod query;
pub mod service;
pub mod types;

pub use actor::Actor;
