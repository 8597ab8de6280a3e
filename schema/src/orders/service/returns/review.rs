//! Staff deciding on a return before (or instead of) receiving it, and closing it after:
//! `returnApprove`, `returnDecline`, `returnClose`. Each is one guarded status change and an
//! entry in the order's history; no units or money move.

use super::{Changed, ReturnAction, illegal, load, not_found, note, summary};
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::unit_of_work::Writer;
use entities::{order_line, order_return};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Longest decline reason.
pub const MAX_DECLINE_REASON_LEN: usize = 1_000;

/// `returnApprove`: the customer may send the units.
pub async fn approve(
    writer: &Writer,
    id: Uuid,
    actor: Option<Uuid>,
) -> ApiResult<Result<Changed, UserError>> {
    decide(writer, id, ReturnAction::Approve, None, actor).await
}

/// `returnDecline`: the units are not taken back; the reason is shown to the customer. The
/// units may be asked for again (within the window).
pub async fn decline(
    writer: &Writer,
    id: Uuid,
    reason: &str,
    actor: Option<Uuid>,
) -> ApiResult<Result<Changed, UserError>> {
    let reason = match text::optional_block(Some(reason), MAX_DECLINE_REASON_LEN) {
        Ok(Some(reason)) => reason,
        Ok(None) => {
            return Ok(Err(UserError::new(
                &["reason"],
                ErrorCode::Invalid,
                "say why the return is declined",
            )));
        }
        Err(problem) => {
            return Ok(Err(UserError::new(
                &["reason"],
                ErrorCode::Invalid,
                problem.to_string(),
            )));
        }
    };
    decide(writer, id, ReturnAction::Decline, Some(reason), actor).await
}

/// `returnClose`: a received return is done with (its refund made, or none owed).
pub async fn close(
    writer: &Writer,
    id: Uuid,
    actor: Option<Uuid>,
) -> ApiResult<Result<Changed, UserError>> {
    decide(writer, id, ReturnAction::Close, None, actor).await
}

async fn decide(
    writer: &Writer,
    id: Uuid,
    action: ReturnAction,
    reason: Option<String>,
    actor: Option<Uuid>,
) -> ApiResult<Result<Changed, UserError>> {
    let mut write = writer.begin().await?;
    let Some(((found, lines), order)) = load(&write, id).await? else {
        return Ok(Err(not_found()));
    };
    let extra = match &reason {
        Some(reason) => vec![(
            order_return::Column::DeclineReason,
            Expr::value(reason.clone()),
        )],
        None => Vec::new(),
    };
    let Some(changed) = super::change_status(&write, id, action, extra).await? else {
        return Ok(Err(illegal(found.status, action)));
    };
    let order_lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order.id))
        .all(write.txn())
        .await?;
    let mut message = format!(
        "return {}: {}",
        super::status_name(changed.status).to_lowercase(),
        summary(&lines, &order_lines)
    );
    if let Some(reason) = reason {
        message.push_str(&format!(" ({reason})"));
    }
    note(&mut write, &order, action.event(), message, actor).await?;
    write.commit().await?;
    Ok(Ok(Changed {
        stored: (changed, lines),
        order,
    }))
}
