//! Runs the order process (`transitions::TRANSITIONS`): one function applies any allowed
//! transition inside the caller's unit of work — the status change, the side effects through
//! the contexts that own the data, the payment's status and the history — so staff actions,
//! checkout's payment outcome and provider webhooks cannot disagree about what a transition
//! does.
//!
//! The status change is one conditional UPDATE (`WHERE status = <the status read>`), so two
//! staff members clicking at once cannot both apply it.

use super::fulfilments;
use super::records::{self, Happening};
use super::transitions::{self, Effect, Note, OrderAction, State, Transition};
use crate::carts::service as carts;
use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::discounts::service as discounts;
use crate::error::ApiResult;
use crate::inventory::service::allocation::{self, Allocation};
use crate::payments::NextAction;
use crate::unit_of_work::{Write, Writer};
use entities::enums::PaymentStatus;
use entities::json::NextActionJson;
use entities::{order, order_allocation, order_discount, order_line, payment};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Who asked, and what the history should say.
#[derive(Clone, Debug, Default)]
pub struct Detail {
    pub actor: Option<Uuid>,
    /// Staff's note, the provider's decline reason, or the payment reference.
    pub note: Option<String>,
    /// The provider's payment id, stored on the payment (a confirmed payment).
    pub reference: Option<String>,
    /// Minor units the provider captured (a partial capture); `None` means all of it.
    pub captured: Option<i64>,
}

/// Why a transition was not applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    NotFound,
    /// The order's state has no row for the action.
    Illegal(State),
}

impl Refused {
    /// The refusal of a mutation whose order argument is `id`.
    pub fn user_error(self, action: OrderAction) -> UserError {
        self.user_error_at(action, "id")
    }

    /// The refusal, naming the mutation's order argument `field`.
    pub fn user_error_at(self, action: OrderAction, field: &str) -> UserError {
        match self {
            Self::NotFound => {
                UserError::new(&[field], ErrorCode::NotFound, "no order with this id")
            }
            Self::Illegal(state) => UserError::new(
                &[field],
                ErrorCode::IllegalTransition,
                format!(
                    "a {} order cannot be {} (its payment is {}, its fulfilment {})",
                    transitions::status_name(state.status),
                    action.verb(),
                    transitions::payment_status_name(state.payment),
                    transitions::fulfillment_status_name(state.fulfillment)
                ),
            ),
        }
    }
}

/// A staff action (`orderMarkPaid`, `orderFulfill`, …): its own unit of work; an illegal
/// transition is a user error and changes nothing.
pub async fn apply(
    writer: &Writer,
    order_id: Uuid,
    action: OrderAction,
    detail: Detail,
) -> ApiResult<Result<order::Model, UserError>> {
    let mut write = writer.begin().await?;
    match run(&mut write, order_id, action, detail).await? {
        Ok(order) => {
            write.commit().await?;
            Ok(Ok(order))
        }
        Err(refused) => Ok(Err(refused.user_error(action))),
    }
}

/// Applies `action` to the order within `write`.
pub async fn run(
    write: &mut Write,
    order_id: Uuid,
    action: OrderAction,
    detail: Detail,
) -> ApiResult<Result<order::Model, Refused>> {
    let Some(before) = order::Entity::find_by_id(order_id).one(write.txn()).await? else {
        return Ok(Err(Refused::NotFound));
    };
    let state = State::of(&before);
    let Some(transition) = transitions::find(state, action) else {
        return Ok(Err(Refused::Illegal(state)));
    };
    let Some(changed) = change_status(write, &before, transition).await? else {
        // Another transaction moved the order between the read and the UPDATE.
        let now = order::Entity::find_by_id(order_id).one(write.txn()).await?;
        return Ok(Err(Refused::Illegal(now.as_ref().map_or(state, State::of))));
    };
    for effect in transition.effects {
        carry_out(write, *effect, &changed, &detail).await?;
    }
    if let Some(status) = transition.payment {
        let status = transitions::payment_record_status(status);
        set_payment_status(write, order_id, status, detail.reference.as_deref()).await?;
    }
    for (kind, note) in transition.history {
        let message = match note {
            Note::Caller => detail.note.clone(),
            Note::Fixed(text) => Some((*text).to_owned()),
        };
        records::record(
            write,
            Happening {
                kind: *kind,
                from: Some(before.status),
                message,
                actor: detail.actor,
                order: &changed,
            },
        )
        .await?;
    }
    Ok(Ok(changed))
}

/// Remembers what the provider said about a pending payment: its id (for its webhooks) and
/// what the customer must do next (3-D Secure), shown on `Payment.nextAction`.
pub async fn set_payment_pending(
    writer: &Writer,
    order_id: Uuid,
    reference: Option<String>,
    next_action: Option<NextAction>,
) -> ApiResult<()> {
    if reference.is_none() && next_action.is_none() {
        return Ok(());
    }
    let write = writer.begin().await?;
    let mut update = payment::Entity::update_many()
        .col_expr(payment::Column::UpdatedAt, Expr::value(now()))
        .filter(payment::Column::OrderId.eq(order_id))
        // A webhook may have settled it meanwhile.
        .filter(payment::Column::Status.eq(PaymentStatus::Pending));
    if let Some(reference) = reference {
        update = update.col_expr(payment::Column::ProviderReference, Expr::value(reference));
    }
    if let Some(action) = next_action {
        let stored = NextActionJson {
            kind: action.kind,
            client_secret: action.client_secret,
            redirect_url: action.redirect_url,
        };
        update = update.col_expr(payment::Column::NextAction, Expr::value(stored));
    }
    update.exec(write.txn()).await?;
    write.commit().await
}

/// The conditional status change: the order as changed, or `None` when its status moved.
async fn change_status(
    write: &Write,
    before: &order::Model,
    transition: &Transition,
) -> ApiResult<Option<order::Model>> {
    let after = transitions::target(State::of(before), transition);
    let changed = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(after.status))
        .col_expr(order::Column::PaymentStatus, Expr::value(after.payment))
        .col_expr(
            order::Column::FulfillmentStatus,
            Expr::value(after.fulfillment),
        )
        .col_expr(order::Column::UpdatedAt, Expr::value(now()))
        .filter(order::Column::Id.eq(before.id))
        .filter(order::Column::Status.eq(before.status))
        .filter(order::Column::PaymentStatus.eq(before.payment_status))
        .filter(order::Column::FulfillmentStatus.eq(before.fulfillment_status))
        .exec_with_returning(write.txn())
        .await?;
    Ok(changed.into_iter().next())
}

/// One side effect, by the context that owns the data.
async fn carry_out(
    write: &mut Write,
    effect: Effect,
    order: &order::Model,
    detail: &Detail,
) -> ApiResult<()> {
    match effect {
        Effect::ReleaseStock => {
            let allocations = allocations_of(write.txn(), order.id).await?;
            allocation::release(write, &allocations).await
        }
        Effect::ShipRest => fulfilments::ship_rest(write, order, detail.actor).await,
        Effect::GiveBackDiscounts => return_discounts(write, order.id).await,
        Effect::ReopenCart => match order.cart_id {
            Some(cart_id) => carts::reopen(write, cart_id).await,
            None => Ok(()),
        },
        Effect::RecordCapture => record_capture(write, order.id, detail.captured).await,
    }
}

/// The payment's captured amount: what the provider took, or the whole payment.
async fn record_capture(write: &Write, order_id: Uuid, captured: Option<i64>) -> ApiResult<()> {
    let amount = match captured {
        Some(amount) => Expr::value(amount),
        None => Expr::col(payment::Column::Amount),
    };
    payment::Entity::update_many()
        .col_expr(payment::Column::CapturedAmount, amount)
        .filter(payment::Column::OrderId.eq(order_id))
        .exec(write.txn())
        .await?;
    Ok(())
}

/// Gives back the uses of the discounts the order used that were not given back yet: the
/// rows are marked returned by the same statement that finds them, so each use comes back
/// once whichever way (and however often) the order is undone.
async fn return_discounts(write: &mut Write, order_id: Uuid) -> ApiResult<()> {
    let returned = order_discount::Entity::update_many()
        .col_expr(order_discount::Column::ReturnedAt, Expr::value(now()))
        .filter(order_discount::Column::OrderId.eq(order_id))
        .filter(order_discount::Column::ReturnedAt.is_null())
        .exec_with_returning(write.txn())
        .await?;
    let ids: Vec<Uuid> = returned.iter().filter_map(|row| row.discount_id).collect();
    discounts::give_back(write, &ids).await
}

async fn allocations_of(txn: &impl ConnectionTrait, order_id: Uuid) -> ApiResult<Vec<Allocation>> {
    let rows = order_allocation::Entity::find()
        .find_also_related(order_line::Entity)
        .filter(order_line::Column::OrderId.eq(order_id))
        .all(txn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(allocation, line)| {
            Some(Allocation {
                variant_id: line?.variant_id?,
                warehouse_id: allocation.warehouse_id,
                quantity: allocation.quantity,
            })
        })
        .collect())
}

async fn set_payment_status(
    write: &Write,
    order_id: Uuid,
    status: PaymentStatus,
    reference: Option<&str>,
) -> ApiResult<()> {
    let mut update = payment::Entity::update_many()
        .col_expr(payment::Column::Status, Expr::value(status))
        // Settled: nothing is left for the customer to do.
        .col_expr(
            payment::Column::NextAction,
            Expr::value(Option::<NextActionJson>::None),
        )
        .col_expr(payment::Column::UpdatedAt, Expr::value(now()));
    if let Some(reference) = reference {
        update = update.col_expr(payment::Column::ProviderReference, Expr::value(reference));
    }
    update
        .filter(payment::Column::OrderId.eq(order_id))
        .exec(write.txn())
        .await?;
    Ok(())
}
