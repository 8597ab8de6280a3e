//! Account deletion's part in outgoing webhooks: the stored bodies of deliveries that
//! mention the person (sent ones are kept for staff's delivery log; waiting ones go out
//! redacted) have their strings replaced (`common::redact`).

use crate::common::redact::{self, Column};
use crate::error::ApiResult;
use crate::unit_of_work::Write;

/// `markers`: what makes a body about the person (account id, email, order ids).
pub async fn redact_deliveries(
    write: &mut Write,
    markers: &[String],
    needles: &[String],
) -> ApiResult<u64> {
    let body = Column {
        table: "webhook_deliveries",
        column: "body",
        json: false,
    };
    redact::replace_in(write.txn(), &body, markers, needles, None).await
}
