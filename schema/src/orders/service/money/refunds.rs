//! Refunds (`orderRefundCreate`, and `orderRefund` = "everything left").
//!
//! Claim (one unit): the refund's money is reserved on the payment with a guarded UPDATE
//! (`captured − refunded − reserved ≥ amount`), each line's units with another
//! (`refunded_quantity + n ≤ quantity`), the shipping charge with a third (`NOT
//! shipping_refunded`), and the refund is written PENDING under `(order, idempotencyKey)`.
//! Any guard that changes no row refuses the whole request, so twenty concurrent refunds of
//! 10.00 on a 50.00 capture reserve exactly five. The same key again finds the refund.
//!
//! Ask: the provider, with the refund's own id as idempotency key, so asking again (a
//! replay of a refund still pending) cannot refund twice.
//!
//! Settle (one unit): success moves the reservation into `refunded_amount`, restocks if
//! asked, and moves the order through the process table (`RefundPart`, or `Refund` when
//! nothing captured is left). A refusal marks the refund FAILED and gives back everything
//! the claim took: no money or stock moves. A transient failure leaves it PENDING, to be
//! driven again by a retry with the same key (or settled by the provider's webhook).

use super::apportion::{OrderAmounts, line_refund};
use super::restock::restock;
use super::{Paid, load, minor_amount, provider_of};
use crate::common::clock::now;
use crate::common::money::{CurrencyCode, Decimal};
use crate::common::text;
use crate::common::transaction::for_update;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::orders::service::lifecycle::{self, Detail, Refused};
use crate::orders::service::records::{self, Happening};
use crate::orders::service::transitions::{self, OrderAction, State};
use crate::payments::{Done, Operation, Outcome, PaymentProviders};
use crate::unit_of_work::{Write, Writer};
use entities::enums::{OrderEventKind, RefundStatus};
use entities::{order, order_line, payment, refund, refund_line};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use std::collections::HashSet;
use uuid::Uuid;

/// Longest reason kept.
const MAX_REASON_LEN: usize = 1_000;

/// Units of one order line to refund.
#[derive(Clone, Copy, Debug)]
pub struct LineRequest {
    pub order_line_id: Uuid,
    pub quantity: i32,
}

#[derive(Clone, Debug)]
pub struct RefundRequest {
    pub order_id: Uuid,
    pub lines: Vec<LineRequest>,
    pub include_shipping: bool,
    pub amount: Option<Decimal>,
    pub reason: Option<String>,
    pub restock: bool,
    pub idempotency_key: String,
    pub actor: Option<Uuid>,
}

/// A refund with its lines.
pub type StoredRefund = (refund::Model, Vec<refund_line::Model>);

/// The refund (also when it failed), the order as it is now, and what went wrong.
#[derive(Default)]
pub struct RefundOutcome {
    pub refund: Option<StoredRefund>,
    pub order: Option<order::Model>,
    pub user_errors: Vec<UserError>,
}

impl RefundOutcome {
    fn refused(error: UserError) -> Self {
        Self {
            user_errors: vec![error],
            ..Self::default()
        }
    }
}

pub async fn create(
    writer: &Writer,
    providers: &PaymentProviders,
    request: RefundRequest,
) -> ApiResult<RefundOutcome> {
    let key = match text::required_line(&request.idempotency_key, 255) {
        Ok(key) => key,
        Err(problem) => {
            let field = ["idempotencyKey"];
            return Ok(RefundOutcome::refused(UserError::new(
                &field,
                ErrorCode::Invalid,
                problem.to_string(),
            )));
        }
    };
    let reason = match text::optional_block(request.reason.as_deref(), MAX_REASON_LEN) {
        Ok(reason) => reason,
        Err(problem) => {
            return Ok(RefundOutcome::refused(UserError::new(
                &["input", "reason"],
                ErrorCode::Invalid,
                problem.to_string(),
            )));
        }
    };
    if let Some(done) = replay(writer, providers, request.order_id, &key).await? {
        return Ok(done);
    }
    let paid = match load(writer.db(), request.order_id).await? {
        Ok(paid) => paid,
        Err(error) => return Ok(RefundOutcome::refused(error)),
    };
    let state = State::of(&paid.order);
    if transitions::find(state, OrderAction::RefundPart).is_none() {
        let refused = Refused::Illegal(state);
        return Ok(RefundOutcome::refused(
            refused.user_error_at(OrderAction::Refund, "orderId"),
        ));
    }
    let plan = match plan(writer, &paid, &request).await? {
        Ok(plan) => plan,
        Err(error) => return Ok(RefundOutcome::refused(error)),
    };
    let claimed = match claim(writer, &paid, &plan, &key, reason, &request).await? {
        Claim::Made(stored) => stored,
        Claim::Refused(error) => return Ok(RefundOutcome::refused(error)),
        Claim::KeyTaken => {
            return Ok(replay(writer, providers, request.order_id, &key)
                .await?
                .unwrap_or_default());
        }
    };
    drive(writer, providers, claimed, paid.payment, paid.currency).await
}

/// `orderRefund`: refunds everything captured and not refunded yet.
pub async fn refund_rest(
    writer: &Writer,
    providers: &PaymentProviders,
    order_id: Uuid,
    note: Option<String>,
    actor: Option<Uuid>,
) -> ApiResult<Result<order::Model, UserError>> {
    let paid = match load(writer.db(), order_id).await? {
        Ok(paid) => paid,
        Err(error) => return Ok(Err(error)),
    };
    let left = left_to_refund(&paid.payment);
    let state = State::of(&paid.order);
    let refundable = transitions::find(state, OrderAction::Refund).is_some();
    if !refundable || left <= 0 {
        let refused = Refused::Illegal(state);
        return Ok(Err(refused.user_error(OrderAction::Refund)));
    }
    let request = RefundRequest {
        order_id,
        lines: Vec::new(),
        include_shipping: false,
        amount: Some(Decimal::from_minor(left, paid.currency)),
        reason: note,
        restock: false,
        idempotency_key: format!("order-refund-{}", Uuid::now_v7()),
        actor,
    };
    let outcome = create(writer, providers, request).await?;
    match (outcome.order, outcome.user_errors.into_iter().next()) {
        (_, Some(error)) => Ok(Err(error)),
        (Some(order), None) => Ok(Ok(order)),
        (None, None) => Ok(Err(UserError::new(
            &["id"],
            ErrorCode::NotFound,
            "no order with this id",
        ))),
    }
}

fn left_to_refund(payment: &payment::Model) -> i64 {
    payment.captured_amount - payment.refunded_amount - payment.refund_reserved
}

/// What the request is worth, line by line.
struct Plan {
    lines: Vec<(LineRequest, i64)>,
    shipping: i64,
    amount: i64,
}

async fn plan(
    writer: &Writer,
    paid: &Paid,
    request: &RefundRequest,
) -> ApiResult<Result<Plan, UserError>> {
    let order = &paid.order;
    let amounts = OrderAmounts {
        subtotal: order.subtotal,
        shipping: order.shipping_total,
        total: order.total,
    };
    let order_lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order.id))
        .all(writer.db())
        .await?;
    if request.lines.len() > order_lines.len() {
        return Ok(Err(UserError::new(
            &["input", "lines"],
            ErrorCode::Invalid,
            format!("the order has {} line(s)", order_lines.len()),
        )));
    }
    let mut seen = HashSet::new();
    let mut lines = Vec::with_capacity(request.lines.len());
    for (index, line) in request.lines.iter().enumerate() {
        let index = index.to_string();
        let field = |name: &str| ["input", "lines", index.as_str(), name].map(str::to_owned);
        let error = |name: &str, code, message: &str| {
            let field = field(name);
            let field: Vec<&str> = field.iter().map(String::as_str).collect();
            UserError::new(&field, code, message)
        };
        let Some(ordered) = order_lines.iter().find(|l| l.id == line.order_line_id) else {
            return Ok(Err(error(
                "orderLineId",
                ErrorCode::NotFound,
                "no line with this id on this order",
            )));
        };
        if !seen.insert(line.order_line_id) {
            return Ok(Err(error(
                "orderLineId",
                ErrorCode::Invalid,
                "this line is listed twice",
            )));
        }
        if line.quantity < 1 || line.quantity > ordered.quantity {
            let message = format!("must be between 1 and {}", ordered.quantity);
            return Ok(Err(error("quantity", ErrorCode::Invalid, &message)));
        }
        let worth = line_refund(amounts, ordered.total, ordered.quantity, line.quantity);
        lines.push((*line, worth));
    }
    let shipping = if request.include_shipping {
        if order.shipping_refunded {
            return Ok(Err(UserError::new(
                &["input", "includeShipping"],
                ErrorCode::Invalid,
                "the shipping charge was refunded already",
            )));
        }
        order.shipping_total
    } else {
        0
    };
    let free = match request.amount {
        Some(amount) => match minor_amount(amount, paid.currency, &["input", "amount"]) {
            Ok(minor) => minor,
            Err(error) => return Ok(Err(error)),
        },
        None => 0,
    };
    let amount = lines.iter().map(|(_, worth)| worth).sum::<i64>() + shipping + free;
    if amount <= 0 {
        return Ok(Err(UserError::new(
            &["input"],
            ErrorCode::Invalid,
            "nothing to refund: give lines, includeShipping or an amount",
        )));
    }
    Ok(Ok(Plan {
        lines,
        shipping,
        amount,
    }))
}

enum Claim {
    Made(StoredRefund),
    Refused(UserError),
    /// A concurrent request with the same key wrote its refund first.
    KeyTaken,
}

/// Reserves the money, the units and the shipping charge, and writes the PENDING refund —
/// all or nothing.
async fn claim(
    writer: &Writer,
    paid: &Paid,
    plan: &Plan,
    key: &str,
    reason: Option<String>,
    request: &RefundRequest,
) -> ApiResult<Claim> {
    let write = writer.begin().await?;
    records::lock_order(&write, paid.order.id).await?;
    let reserved = payment::Entity::update_many()
        .col_expr(
            payment::Column::RefundReserved,
            Expr::col(payment::Column::RefundReserved).add(plan.amount),
        )
        .col_expr(payment::Column::UpdatedAt, Expr::value(now()))
        .filter(payment::Column::Id.eq(paid.payment.id))
        .filter(
            Expr::col(payment::Column::CapturedAmount)
                .sub(Expr::col(payment::Column::RefundedAmount))
                .sub(Expr::col(payment::Column::RefundReserved))
                .gte(plan.amount),
        )
        .exec(write.txn())
        .await?;
    if reserved.rows_affected != 1 {
        drop(write);
        let now_left = payment::Entity::find_by_id(paid.payment.id)
            .one(writer.db())
            .await?
            .map_or(0, |p| left_to_refund(&p));
        return Ok(Claim::Refused(UserError::new(
            &["input"],
            ErrorCode::RefundTooLarge,
            format!(
                "{} is more than the {} left to refund",
                Decimal::from_minor(plan.amount, paid.currency),
                Decimal::from_minor(std::cmp::max(now_left, 0), paid.currency)
            ),
        )));
    }
    for (index, (line, _)) in plan.lines.iter().enumerate() {
        let claimed = order_line::Entity::update_many()
            .col_expr(
                order_line::Column::RefundedQuantity,
                Expr::col(order_line::Column::RefundedQuantity).add(line.quantity),
            )
            .filter(order_line::Column::Id.eq(line.order_line_id))
            .filter(
                Expr::col(order_line::Column::RefundedQuantity)
                    .add(line.quantity)
                    .lte(Expr::col(order_line::Column::Quantity)),
            )
            .exec(write.txn())
            .await?;
        if claimed.rows_affected != 1 {
            let index = index.to_string();
            return Ok(Claim::Refused(UserError::new(
                &["input", "lines", &index, "quantity"],
                ErrorCode::RefundTooLarge,
                "more units than are left to refund on this line",
            )));
        }
    }
    if plan.shipping > 0 {
        let claimed = order::Entity::update_many()
            .col_expr(order::Column::ShippingRefunded, Expr::value(true))
            .filter(order::Column::Id.eq(paid.order.id))
            .filter(order::Column::ShippingRefunded.eq(false))
            .exec(write.txn())
            .await?;
        if claimed.rows_affected != 1 {
            return Ok(Claim::Refused(UserError::new(
                &["input", "includeShipping"],
                ErrorCode::Invalid,
                "the shipping charge was refunded already",
            )));
        }
    }
    let at = now();
    let inserted = refund::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(paid.order.id),
        payment_id: Set(paid.payment.id),
        status: Set(RefundStatus::Pending),
        amount: Set(plan.amount),
        currency_code: Set(paid.order.currency_code.clone()),
        shipping_amount: Set(plan.shipping),
        restock: Set(request.restock),
        reason: Set(reason),
        idempotency_key: Set(key.to_owned()),
        provider_reference: Set(None),
        failure_reason: Set(None),
        created_by: Set(request.actor),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(write.txn())
    .await;
    let stored = match inserted {
        Ok(stored) => stored,
        Err(err) if crate::error::is_unique_violation(&err) => return Ok(Claim::KeyTaken),
        Err(err) => return Err(err.into()),
    };
    let lines: Vec<refund_line::Model> = plan
        .lines
        .iter()
        .map(|(line, worth)| refund_line::Model {
            refund_id: stored.id,
            order_line_id: line.order_line_id,
            quantity: line.quantity,
            amount: *worth,
        })
        .collect();
    if !lines.is_empty() {
        let rows = lines.iter().cloned().map(refund_line::ActiveModel::from);
        refund_line::Entity::insert_many(rows)
            .exec_without_returning(write.txn())
            .await?;
    }
    write.commit().await?;
    Ok(Claim::Made((stored, lines)))
}

/// The refund this key made for this order, as it is now; a pending one is driven again.
async fn replay(
    writer: &Writer,
    providers: &PaymentProviders,
    order_id: Uuid,
    key: &str,
) -> ApiResult<Option<RefundOutcome>> {
    let Some(found) = refund::Entity::find()
        .filter(refund::Column::OrderId.eq(order_id))
        .filter(refund::Column::IdempotencyKey.eq(key))
        .one(writer.db())
        .await?
    else {
        return Ok(None);
    };
    let lines = refund_line::Entity::find()
        .filter(refund_line::Column::RefundId.eq(found.id))
        .all(writer.db())
        .await?;
    if found.status == RefundStatus::Pending {
        let Some(payment) = payment::Entity::find_by_id(found.payment_id)
            .one(writer.db())
            .await?
        else {
            return Ok(None);
        };
        let currency = CurrencyCode::stored(&found.currency_code)?;
        return Ok(Some(
            drive(writer, providers, (found, lines), payment, currency).await?,
        ));
    }
    let order = order::Entity::find_by_id(order_id).one(writer.db()).await?;
    let user_errors = failure(&found).into_iter().collect();
    Ok(Some(RefundOutcome {
        refund: Some((found, lines)),
        order,
        user_errors,
    }))
}

fn failure(refund: &refund::Model) -> Option<UserError> {
    (refund.status == RefundStatus::Failed).then(|| {
        UserError::new(
            &["orderId"],
            ErrorCode::PaymentFailed,
            format!(
                "the payment provider refused the refund: {}; nothing was refunded — try again with a new idempotency key",
                refund.failure_reason.as_deref().unwrap_or("no reason given")
            ),
        )
    })
}

/// Asks the provider and settles its answer.
async fn drive(
    writer: &Writer,
    providers: &PaymentProviders,
    (refund, lines): StoredRefund,
    payment: payment::Model,
    currency: CurrencyCode,
) -> ApiResult<RefundOutcome> {
    let outcome = match provider_of(providers, &payment) {
        Ok(provider) => {
            let operation = Operation {
                order_id: refund.order_id,
                refund_id: Some(refund.id),
                reference: payment.provider_reference.as_deref(),
                amount: refund.amount,
                currency,
                idempotency_key: format!("{}-refund", refund.id),
            };
            provider.refund(operation).await
        }
        Err(error) => Outcome::Declined {
            reason: error.message,
        },
    };
    let transient = match &outcome {
        Outcome::Failed { reason } => Some(reason.clone()),
        _ => None,
    };
    let mut write = writer.begin().await?;
    settle(&mut write, refund.id, outcome).await?;
    write.commit().await?;
    let db = writer.db();
    let now_refund = refund::Entity::find_by_id(refund.id)
        .one(db)
        .await?
        .unwrap_or(refund);
    let order = order::Entity::find_by_id(now_refund.order_id)
        .one(db)
        .await?;
    let mut user_errors: Vec<UserError> = failure(&now_refund).into_iter().collect();
    if let Some(reason) = transient {
        user_errors.push(UserError::new(
            &["orderId"],
            ErrorCode::PaymentFailed,
            format!(
                "the payment provider could not be reached ({reason}); the refund is pending — send the same request again"
            ),
        ));
    }
    Ok(RefundOutcome {
        refund: Some((now_refund, lines)),
        order,
        user_errors,
    })
}

/// Applies the provider's answer about a PENDING refund within `write`. Returns whether it
/// changed anything: a refund settled before (by a concurrent replay or a webhook) is left.
///
/// Locks are taken in the order claims take them — the order (`records::lock_order`), the
/// payment row, then the refund — so a settlement cannot wait for a claim that waits for it
/// (PostgreSQL).
pub async fn settle(write: &mut Write, refund_id: Uuid, outcome: Outcome<Done>) -> ApiResult<bool> {
    let Some(pending) = refund::Entity::find_by_id(refund_id)
        .one(write.txn())
        .await?
    else {
        return Ok(false);
    };
    records::lock_order(write, pending.order_id).await?;
    let payment = payment::Entity::find_by_id(pending.payment_id);
    for_update(payment, write.txn()).one(write.txn()).await?;
    match outcome {
        Outcome::Succeeded(done) => succeed(write, refund_id, done.reference).await,
        Outcome::Declined { reason } => fail(write, refund_id, &reason).await,
        // Still unknown: the reservation stays until a retry or the webhook says.
        Outcome::Pending { .. } | Outcome::Failed { .. } => Ok(false),
    }
}

/// Marks the refund settled with `status`, if it is still PENDING.
async fn mark(
    write: &Write,
    refund_id: Uuid,
    status: RefundStatus,
    reference: Option<String>,
    failure: Option<&str>,
) -> ApiResult<Option<refund::Model>> {
    let mut update = refund::Entity::update_many()
        .col_expr(refund::Column::Status, Expr::value(status))
        .col_expr(refund::Column::UpdatedAt, Expr::value(now()))
        .filter(refund::Column::Id.eq(refund_id))
        .filter(refund::Column::Status.eq(RefundStatus::Pending));
    if let Some(reference) = reference {
        let reference: String = reference.chars().take(255).collect();
        update = update.col_expr(refund::Column::ProviderReference, Expr::value(reference));
    }
    if let Some(failure) = failure {
        let failure: String = failure.chars().take(MAX_REASON_LEN).collect();
        update = update.col_expr(refund::Column::FailureReason, Expr::value(failure));
    }
    Ok(update
        .exec_with_returning(write.txn())
        .await?
        .into_iter()
        .next())
}

async fn succeed(write: &mut Write, refund_id: Uuid, reference: Option<String>) -> ApiResult<bool> {
    let Some(refund) = mark(write, refund_id, RefundStatus::Succeeded, reference, None).await?
    else {
        return Ok(false);
    };
    // The payment row's lock (PostgreSQL) orders concurrent settlements of one payment.
    let payment = payment::Entity::update_many()
        .col_expr(
            payment::Column::RefundedAmount,
            Expr::col(payment::Column::RefundedAmount).add(refund.amount),
        )
        .col_expr(
            payment::Column::RefundReserved,
            Expr::col(payment::Column::RefundReserved).sub(refund.amount),
        )
        .col_expr(payment::Column::UpdatedAt, Expr::value(now()))
        .filter(payment::Column::Id.eq(refund.payment_id))
        .exec_with_returning(write.txn())
        .await?
        .into_iter()
        .next();
    let Some(payment) = payment else {
        return Ok(true);
    };
    let lines = refund_line::Entity::find()
        .filter(refund_line::Column::RefundId.eq(refund.id))
        .all(write.txn())
        .await?;
    if refund.restock
        && !lines.is_empty()
        && let Some(order) = order::Entity::find_by_id(refund.order_id)
            .one(write.txn())
            .await?
    {
        let units: Vec<(Uuid, i32)> = lines
            .iter()
            .map(|l| (l.order_line_id, l.quantity))
            .collect();
        restock(write, &order, &units).await?;
    }
    let action = if payment.refunded_amount >= payment.captured_amount {
        OrderAction::Refund
    } else {
        OrderAction::RefundPart
    };
    let currency = CurrencyCode::stored(&refund.currency_code)?;
    let mut note = format!(
        "refunded {} {}",
        Decimal::from_minor(refund.amount, currency),
        currency.as_str()
    );
    if let Some(reason) = &refund.reason {
        note = format!("{note}: {reason}");
    }
    let detail = Detail {
        actor: refund.created_by,
        note: Some(note),
        ..Detail::default()
    };
    if let Err(refused) = lifecycle::run(write, refund.order_id, action, detail).await? {
        // The money moved at the provider whatever the order's state: keep the record.
        tracing::warn!(refund = %refund.id, ?refused, "a refund settled on an order that had moved on");
    }
    Ok(true)
}

/// The provider refused: the refund is FAILED and everything its claim took is given back.
async fn fail(write: &mut Write, refund_id: Uuid, reason: &str) -> ApiResult<bool> {
    let Some(refund) = mark(write, refund_id, RefundStatus::Failed, None, Some(reason)).await?
    else {
        return Ok(false);
    };
    payment::Entity::update_many()
        .col_expr(
            payment::Column::RefundReserved,
            Expr::col(payment::Column::RefundReserved).sub(refund.amount),
        )
        .col_expr(payment::Column::UpdatedAt, Expr::value(now()))
        .filter(payment::Column::Id.eq(refund.payment_id))
        .exec(write.txn())
        .await?;
    let lines = refund_line::Entity::find()
        .filter(refund_line::Column::RefundId.eq(refund.id))
        .all(write.txn())
        .await?;
    for line in &lines {
        order_line::Entity::update_many()
            .col_expr(
                order_line::Column::RefundedQuantity,
                Expr::col(order_line::Column::RefundedQuantity).sub(line.quantity),
            )
            .filter(order_line::Column::Id.eq(line.order_line_id))
            .exec(write.txn())
            .await?;
    }
    if refund.shipping_amount > 0 {
        order::Entity::update_many()
            .col_expr(order::Column::ShippingRefunded, Expr::value(false))
            .filter(order::Column::Id.eq(refund.order_id))
            .exec(write.txn())
            .await?;
    }
    if let Some(order) = order::Entity::find_by_id(refund.order_id)
        .one(write.txn())
        .await?
    {
        records::record(
            write,
            Happening {
                kind: OrderEventKind::RefundFailed,
                from: Some(order.status),
                message: Some(format!("refund refused by the provider: {reason}")),
                actor: refund.created_by,
                order: &order,
            },
        )
        .await?;
    }
    Ok(true)
}
