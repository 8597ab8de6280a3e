//! Money after checkout: captures, voids and refunds.
//!
//! The provider is asked outside any transaction (a network call must not hold locks), so
//! each operation is three steps: a unit of work that *claims* what the operation may do
//! (a capture or void marks the payment busy; a refund reserves its money, its units and
//! the shipping charge with guarded UPDATEs), the provider call with an idempotency key,
//! and a unit that *settles* the answer through the order process table. Guards, not
//! locks, are what make concurrent requests safe: a claim that would take more than is left
//! changes no row and is refused.

pub mod apportion;
pub mod operations;
pub mod refunds;
mod restock;

use crate::common::money::{CurrencyCode, Decimal};
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::orders::service::lifecycle::Refused;
use crate::orders::service::transitions::OrderAction;
use crate::payments::{PaymentProvider, PaymentProviders};
use entities::{order, payment};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::sync::Arc;
use uuid::Uuid;

/// An order with its payment (the latest, when a future checkout retries payment).
pub(crate) struct Paid {
    pub order: order::Model,
    pub payment: payment::Model,
    pub currency: CurrencyCode,
}

/// The order and its payment, or NOT_FOUND.
pub(crate) async fn load(
    db: &impl ConnectionTrait,
    order_id: Uuid,
) -> ApiResult<Result<Paid, UserError>> {
    let Some(order) = order::Entity::find_by_id(order_id).one(db).await? else {
        return Ok(Err(
            Refused::NotFound.user_error_at(OrderAction::Refund, "orderId")
        ));
    };
    let Some(payment) = payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order_id))
        .order_by_desc(payment::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(Err(
            Refused::NotFound.user_error_at(OrderAction::Refund, "orderId")
        ));
    };
    let currency = CurrencyCode::stored(&order.currency_code)?;
    Ok(Ok(Paid {
        order,
        payment,
        currency,
    }))
}

/// The provider that took the payment; one no longer configured cannot move its money.
pub(crate) fn provider_of(
    providers: &PaymentProviders,
    payment: &payment::Model,
) -> Result<Arc<dyn PaymentProvider>, UserError> {
    providers.get(&payment.provider).ok_or_else(|| {
        UserError::new(
            &["orderId"],
            ErrorCode::PaymentFailed,
            format!(
                "the payment was made with `{}`, which this server is not configured for",
                payment.provider
            ),
        )
    })
}

/// A staff-given amount in the order's currency: positive, exact in minor units.
pub(crate) fn minor_amount(
    amount: Decimal,
    currency: CurrencyCode,
    field: &[&str],
) -> Result<i64, UserError> {
    let invalid = |message: String| UserError::new(field, ErrorCode::Invalid, message);
    if amount.is_negative() {
        return Err(invalid("must be greater than 0".into()));
    }
    match amount.to_bounded_minor(currency) {
        Ok(0) => Err(invalid("must be greater than 0".into())),
        Ok(minor) => Ok(minor),
        Err(problem) => Err(invalid(problem)),
    }
}
