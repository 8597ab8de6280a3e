//! Staff capture (`orderPaymentCapture`) and void (`orderPaymentVoid`) an authorized
//! payment.
//!
//! Claim: one guarded UPDATE marks the payment busy (`operation`), so a second capture or a
//! void racing it is refused instead of reaching the provider; a claim older than
//! [`CLAIM_EXPIRES_SECS`] is taken over (its server died mid-call). Ask: the provider, with
//! an idempotency key per attempt. Settle: the claim is cleared and, on success, the order
//! moves through the process table (`Capture`: PAID with the captured amount; `Void`:
//! CANCELLED, stock and discounts back) in the same unit; a refusal is recorded in the
//! order's history and changes nothing else.

use super::{Paid, load, minor_amount, provider_of};
use crate::common::clock::now;
use crate::common::money::Decimal;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::orders::service::lifecycle::{self, Detail, Refused};
use crate::orders::service::records::{self, Happening};
use crate::orders::service::transitions::{self, OrderAction, State};
use crate::payments::{Done, Operation, Outcome, PaymentProviders};
use crate::unit_of_work::{Write, Writer};
use entities::enums::{OrderEventKind, OrderPaymentStatus, PaymentStatus};
use entities::{order, payment};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use uuid::Uuid;

/// How long a capture or void may be at the provider before another may take over.
pub const CLAIM_EXPIRES_SECS: i64 = 120;

/// Who asked, and with what note.
#[derive(Clone, Debug, Default)]
pub struct Staff {
    pub actor: Option<Uuid>,
}

/// Captures `amount` (all of it when `None`) of the order's authorized payment.
pub async fn capture(
    writer: &Writer,
    providers: &PaymentProviders,
    order_id: Uuid,
    amount: Option<Decimal>,
    staff: Staff,
) -> ApiResult<Result<order::Model, UserError>> {
    let paid = match load(writer.db(), order_id).await? {
        Ok(paid) => paid,
        Err(error) => return Ok(Err(error)),
    };
    if let Err(error) = allowed(&paid.order, OrderAction::Capture) {
        return Ok(Err(error));
    }
    let authorized = paid.payment.amount - paid.payment.captured_amount;
    let amount = match amount {
        None => authorized,
        Some(amount) => match minor_amount(amount, paid.currency, &["amount"]) {
            Ok(minor) if minor > authorized => {
                return Ok(Err(UserError::new(
                    &["amount"],
                    ErrorCode::Invalid,
                    format!(
                        "at most the authorized {} can be captured",
                        Decimal::from_minor(authorized, paid.currency)
                    ),
                )));
            }
            Ok(minor) => minor,
            Err(error) => return Ok(Err(error)),
        },
    };
    run(writer, providers, paid, Kind::Capture(amount), staff).await
}

/// Releases the order's authorized payment: the order is cancelled, its stock released.
pub async fn void(
    writer: &Writer,
    providers: &PaymentProviders,
    order_id: Uuid,
    staff: Staff,
) -> ApiResult<Result<order::Model, UserError>> {
    let paid = match load(writer.db(), order_id).await? {
        Ok(paid) => paid,
        Err(error) => return Ok(Err(error)),
    };
    if let Err(error) = allowed(&paid.order, OrderAction::Void) {
        return Ok(Err(error));
    }
    run(writer, providers, paid, Kind::Void, staff).await
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Capture(i64),
    Void,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Capture(_) => "capture",
            Self::Void => "void",
        }
    }

    /// The payment status a successful operation leaves the order in.
    fn settled(self) -> OrderPaymentStatus {
        match self {
            Self::Capture(_) => OrderPaymentStatus::Paid,
            Self::Void => OrderPaymentStatus::Voided,
        }
    }

    fn action(self) -> OrderAction {
        match self {
            Self::Capture(_) => OrderAction::Capture,
            Self::Void => OrderAction::Void,
        }
    }
}

/// The process table's answer before anything is claimed: a clear refusal, early.
fn allowed(order: &order::Model, action: OrderAction) -> Result<(), UserError> {
    let state = State::of(order);
    match transitions::find(state, action) {
        Some(_) => Ok(()),
        None => Err(Refused::Illegal(state).user_error_at(action, "orderId")),
    }
}

async fn run(
    writer: &Writer,
    providers: &PaymentProviders,
    paid: Paid,
    kind: Kind,
    staff: Staff,
) -> ApiResult<Result<order::Model, UserError>> {
    let provider = match provider_of(providers, &paid.payment) {
        Ok(provider) => provider,
        Err(error) => return Ok(Err(error)),
    };
    if !claim(writer, paid.payment.id, kind).await? {
        return Ok(Err(UserError::new(
            &["orderId"],
            ErrorCode::PaymentBusy,
            "another capture or void of this payment is under way; try again in a moment",
        )));
    }
    let operation = Operation {
        order_id: paid.order.id,
        refund_id: None,
        reference: paid.payment.provider_reference.as_deref(),
        amount: match kind {
            Kind::Capture(amount) => amount,
            Kind::Void => paid.payment.amount - paid.payment.captured_amount,
        },
        currency: paid.currency,
        idempotency_key: format!("{}-{}-{}", paid.payment.id, kind.name(), Uuid::now_v7()),
    };
    let outcome = match kind {
        Kind::Capture(_) => provider.capture(operation).await,
        Kind::Void => provider.void(operation).await,
    };
    settle(writer, &paid, kind, outcome, staff).await
}

/// Marks the payment busy with `kind`, unless another operation holds it (and is recent).
async fn claim(writer: &Writer, payment_id: Uuid, kind: Kind) -> ApiResult<bool> {
    let write = writer.begin().await?;
    let stale = now() - chrono::Duration::seconds(CLAIM_EXPIRES_SECS);
    let claimed = payment::Entity::update_many()
        .col_expr(payment::Column::Operation, Expr::value(kind.name()))
        .col_expr(payment::Column::OperationStartedAt, Expr::value(now()))
        .filter(payment::Column::Id.eq(payment_id))
        .filter(payment::Column::Status.eq(PaymentStatus::Authorized))
        .filter(
            Condition::any()
                .add(payment::Column::Operation.is_null())
                .add(payment::Column::OperationStartedAt.lt(stale)),
        )
        .exec(write.txn())
        .await?;
    write.commit().await?;
    Ok(claimed.rows_affected == 1)
}

async fn settle(
    writer: &Writer,
    paid: &Paid,
    kind: Kind,
    outcome: Outcome<Done>,
    staff: Staff,
) -> ApiResult<Result<order::Model, UserError>> {
    let mut write = writer.begin().await?;
    records::lock_order(&write, paid.order.id).await?;
    release_claim(&write, paid.payment.id).await?;
    let reason = match outcome {
        Outcome::Succeeded(_) => {
            let note = match kind {
                Kind::Capture(amount) => format!(
                    "captured {} {}",
                    crate::common::money::Decimal::from_minor(amount, paid.currency),
                    paid.currency.as_str()
                ),
                Kind::Void => "authorization released".to_owned(),
            };
            let detail = Detail {
                actor: staff.actor,
                note: Some(note),
                captured: match kind {
                    Kind::Capture(amount) => Some(amount),
                    Kind::Void => None,
                },
                ..Detail::default()
            };
            let moved = lifecycle::run(&mut write, paid.order.id, kind.action(), detail).await?;
            write.commit().await?;
            return Ok(match moved {
                Ok(order) => Ok(order),
                // The provider's webhook reported it first: the order is already where the
                // operation was taking it.
                Err(Refused::Illegal(state)) if state.payment == kind.settled() => {
                    match order::Entity::find_by_id(paid.order.id)
                        .one(writer.db())
                        .await?
                    {
                        Some(order) => Ok(order),
                        None => Err(Refused::NotFound.user_error_at(kind.action(), "orderId")),
                    }
                }
                Err(refused) => Err(refused.user_error_at(kind.action(), "orderId")),
            });
        }
        Outcome::Pending { .. } => "the provider has not confirmed it yet".to_owned(),
        Outcome::Declined { reason } | Outcome::Failed { reason } => reason,
    };
    record_refusal(&mut write, &paid.order, kind, &reason, staff.actor).await?;
    write.commit().await?;
    Ok(Err(UserError::new(
        &["orderId"],
        ErrorCode::PaymentFailed,
        format!("the payment provider did not {}: {reason}", kind.name()),
    )))
}

async fn release_claim(write: &Write, payment_id: Uuid) -> ApiResult<()> {
    payment::Entity::update_many()
        .col_expr(
            payment::Column::Operation,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            payment::Column::OperationStartedAt,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .col_expr(payment::Column::UpdatedAt, Expr::value(now()))
        .filter(payment::Column::Id.eq(payment_id))
        .exec(write.txn())
        .await?;
    Ok(())
}

/// A refused capture or void, in the order's history (and so to its subscribers).
async fn record_refusal(
    write: &mut Write,
    order: &order::Model,
    kind: Kind,
    reason: &str,
    actor: Option<Uuid>,
) -> ApiResult<()> {
    records::record(
        write,
        Happening {
            kind: OrderEventKind::PaymentOperationFailed,
            from: Some(order.status),
            message: Some(format!("{} refused: {reason}", kind.name())),
            actor,
            order,
        },
    )
    .await
}
