//! Staff moving money after checkout: capture, void, refunds (MANAGE_ORDERS).

use super::payment_types::{OrderRefundInput, Refund, RefundCreatePayload};
use super::service::money::operations::{self, Staff};
use super::service::money::refunds::{self, LineRequest, RefundRequest};
use super::types::{Order, OrderPayload};
use crate::common::ids::parse_id;
use crate::common::money::{CurrencyCode, Decimal};
use crate::common::mutation_cost;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct PaymentMutation;

#[Object]
impl PaymentMutation {
    /// Captures an AUTHORIZED payment: all of it, or `amount` (in the order's currency) — the
    /// rest of the authorization is released. The order becomes PAID.
    #[graphql(complexity = "mutation_cost::WRITE * 3 + child_complexity")]
    async fn order_payment_capture(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        amount: Option<Decimal>,
    ) -> Result<OrderPayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let order_id = parse_id(&order_id, "orderId")?;
        let state = ctx.state()?;
        let staff = Staff {
            actor: viewer.account_id(),
        };
        let outcome =
            operations::capture(&ctx.writer()?, &state.payments, order_id, amount, staff).await?;
        Ok(outcome.into())
    }

    /// Releases an AUTHORIZED payment without taking anything: the order is cancelled, its
    /// stock released and its discounts' uses given back.
    #[graphql(complexity = "mutation_cost::WRITE * 3 + child_complexity")]
    async fn order_payment_void(&self, ctx: &Context<'_>, order_id: ID) -> Result<OrderPayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let order_id = parse_id(&order_id, "orderId")?;
        let state = ctx.state()?;
        let staff = Staff {
            actor: viewer.account_id(),
        };
        let outcome = operations::void(&ctx.writer()?, &state.payments, order_id, staff).await?;
        Ok(outcome.into())
    }

    /// Gives captured money back: lines (each unit at its share of what was paid, discounts
    /// and tax apportioned, rounded down), the shipping charge, and/or a free amount. Never
    /// more than is left of the capture, however many refunds run at once. The same
    /// `idempotencyKey` for the same order always answers with the same refund. A refund the
    /// provider refuses is recorded FAILED and moves no money or stock.
    #[graphql(complexity = "mutation_cost::WRITE * 5 + child_complexity")]
    async fn order_refund_create(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        input: OrderRefundInput,
        idempotency_key: String,
    ) -> Result<RefundCreatePayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let order_id = parse_id(&order_id, "orderId")?;
        let mut lines = Vec::with_capacity(input.lines.len());
        for line in &input.lines {
            lines.push(LineRequest {
                order_line_id: parse_id(&line.order_line_id, "orderLineId")?,
                quantity: line.quantity,
            });
        }
        let request = RefundRequest {
            order_id,
            lines,
            include_shipping: input.include_shipping,
            amount: input.amount,
            reason: input.reason,
            restock: input.restock,
            idempotency_key,
            actor: viewer.account_id(),
        };
        let state = ctx.state()?;
        let outcome = refunds::create(&ctx.writer()?, &state.payments, request).await?;
        let refund = match outcome.refund {
            Some((refund, lines)) => {
                let currency = CurrencyCode::stored(&refund.currency_code)?;
                Some(Refund::new(refund, lines, currency))
            }
            None => None,
        };
        Ok(RefundCreatePayload {
            refund,
            order: outcome.order.map(Order),
            user_errors: outcome.user_errors,
        })
    }
}
