//! Account deletion and the audit log: events stay (who on the staff did what), but a deleted
//! customer's strings inside their recorded changes (an address a staff member corrected, a
//! name in an order's snapshot) are erased like everywhere else.

use crate::common::redact::{self, Column};
use crate::error::ApiResult;
use crate::unit_of_work::Write;

/// Erases `needles` from the changes of the audit events that mention one of `markers` (the
/// person's id, email, order ids).
pub async fn redact_changes(
    write: &Write,
    markers: &[String],
    needles: &[String],
) -> ApiResult<u64> {
    let changes = Column {
        table: "audit_events",
        column: "changes",
        json: true,
    };
    redact::replace_in(write.txn(), &changes, markers, needles, None).await
}
