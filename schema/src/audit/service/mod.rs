//! Writing the audit log (from the unit of work) and reading it (`auditEvents`).

pub mod diff;
pub mod listing;
pub mod privacy;
pub mod record;
pub mod redact;

pub use record::{LoggedEntry, record};
