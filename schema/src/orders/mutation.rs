//! `checkoutComplete` and the staff order transitions.

use super::service::checkout::{self, CheckoutRequest};
use super::service::lifecycle::{self, Detail};
use super::service::money::refunds;
use super::service::transitions::OrderAction;
use super::types::{CheckoutCompletePayload, Order, OrderPayload, PaymentInput};
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::common::text;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use crate::error::ApiError;
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct OrderMutation;

async fn transition(
    ctx: &Context<'_>,
    id: ID,
    action: OrderAction,
    note: Option<String>,
) -> Result<OrderPayload> {
    let viewer = &ctx.request()?.viewer;
    viewer.require_any(&[Permission::ManageOrders])?;
    let id = parse_id(&id, "id")?;
    let note = text::optional_block(note.as_deref(), 2_000)
        .map_err(|problem| ApiError::bad_input(format!("note: {problem}")))?;
    let detail = Detail {
        actor: viewer.account_id(),
        note,
        ..Detail::default()
    };
    let outcome = lifecycle::apply(&ctx.writer()?, id, action, detail).await?;
    Ok(match outcome {
        Ok(order) => OrderPayload {
            order: Some(Order(order)),
            user_errors: Vec::new(),
        },
        Err(error) => OrderPayload {
            order: None,
            user_errors: vec![error],
        },
    })
}

#[Object]
impl OrderMutation {
    /// Turns the cart into an order: stock is allocated for every line (all or nothing),
    /// discounts are used, the cart is closed, then the payment provider is asked (`manual`
    /// when `payment` is left out: the order waits for `orderMarkPaid`). The same
    /// `idempotencyKey` for the same cart always answers with the same order, however often
    /// and however concurrently it is sent. A declined payment cancels the order (stock
    /// released, cart reopened) and answers with it and a PAYMENT_DECLINED user error. Every
    /// answer with an order carries an `accessKey` for it (guests track their order with it).
    #[graphql(complexity = "mutation_cost::WRITE * 5 + child_complexity")]
    async fn checkout_complete(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        idempotency_key: String,
        payment: Option<PaymentInput>,
    ) -> Result<CheckoutCompletePayload> {
        let state = ctx.state()?;
        let request = CheckoutRequest {
            cart_id: parse_id(&cart_id, "cartId")?,
            account: ctx.request()?.viewer.account_id(),
            idempotency_key,
            provider: payment
                .as_ref()
                .map_or_else(|| "manual".to_owned(), |p| p.provider.clone()),
            token: payment.and_then(|p| p.token),
        };
        let outcome = checkout::complete(
            &ctx.writer()?,
            &state.settings.cart_rules,
            &state.payments,
            request,
        )
        .await?;
        Ok(CheckoutCompletePayload {
            order: outcome.order.map(Order),
            access_key: outcome.access_key,
            user_errors: outcome.user_errors,
        })
    }

    /// PLACED → PAID (staff with MANAGE_ORDERS), e.g. when a bank transfer arrived.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn order_mark_paid(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: Option<String>,
    ) -> Result<OrderPayload> {
        transition(ctx, id, OrderAction::MarkPaid, note).await
    }

    /// PAID → FULFILLED: the allocated units leave the warehouses (onHand and allocated drop).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn order_fulfill(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: Option<String>,
    ) -> Result<OrderPayload> {
        transition(ctx, id, OrderAction::Fulfil, note).await
    }

    /// PLACED or PAID → CANCELLED: the allocated units become available again.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn order_cancel(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: Option<String>,
    ) -> Result<OrderPayload> {
        transition(ctx, id, OrderAction::Cancel, note).await
    }

    /// Refunds everything captured and not refunded yet (`orderRefundCreate` for parts):
    /// PAID or FULFILLED → REFUNDED (an unshipped order's stock is released); a cancelled
    /// order whose money was kept stays CANCELLED with its payment REFUNDED.
    #[graphql(complexity = "mutation_cost::WRITE * 5 + child_complexity")]
    async fn order_refund(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: Option<String>,
    ) -> Result<OrderPayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let id = parse_id(&id, "id")?;
        let note = text::optional_block(note.as_deref(), 1_000)
            .map_err(|problem| ApiError::bad_input(format!("note: {problem}")))?;
        let state = ctx.state()?;
        let outcome = refunds::refund_rest(
            &ctx.writer()?,
            &state.payments,
            id,
            note,
            viewer.account_id(),
        )
        .await?;
        Ok(match outcome {
            Ok(order) => OrderPayload {
                order: Some(Order(order)),
                user_errors: Vec::new(),
            },
            Err(error) => OrderPayload {
                order: None,
                user_errors: vec![error],
            },
        })
    }
}
