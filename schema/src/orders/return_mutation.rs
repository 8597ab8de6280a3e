//! Returns: the customer (or a guest with the order's access key) asks, staff with
//! MANAGE_ORDERS approve, decline, receive and close (rules in `service/returns/`).

use super::return_types::{Return, ReturnLineInput, ReturnPayload};
use super::service::returns::request::{LineRequest, ReturnRequest};
use super::service::returns::{Changed, receive, request, review};
use super::types::Order;
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct ReturnMutation;

impl From<Result<Changed, UserError>> for ReturnPayload {
    fn from(outcome: Result<Changed, UserError>) -> Self {
        match outcome {
            Ok(Changed { stored, order }) => Self {
                order_return: Some(Return::from(stored)),
                order: Some(Order(order)),
                user_errors: Vec::new(),
            },
            Err(error) => Self::refused(error),
        }
    }
}

#[Object]
impl ReturnMutation {
    /// Asks to send units of a delivered order back, within `RETURN_WINDOW_DAYS` of delivery
    /// and only units shipped that are not back or in another return. For the order's
    /// customer (signed in), staff with MANAGE_ORDERS, or a guest passing the order's
    /// `accessKey`; anyone else gets NOT_FOUND, as for an order that does not exist.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn return_request(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        lines: Vec<ReturnLineInput>,
        access_key: Option<String>,
    ) -> Result<ReturnPayload> {
        let mut requested = Vec::with_capacity(lines.len());
        for line in lines {
            requested.push(LineRequest {
                order_line_id: parse_id(&line.order_line_id, "orderLineId")?,
                quantity: line.quantity,
                reason: line.reason,
            });
        }
        let state = ctx.state()?;
        let asked = ReturnRequest {
            order_id: parse_id(&order_id, "orderId")?,
            lines: requested,
            access_key,
            window_days: state.settings.return_window_days,
        };
        let viewer = &ctx.request()?.viewer;
        Ok(request::create(&ctx.writer()?, viewer, asked).await?.into())
    }

    /// Staff: the customer may send the units.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn return_approve(&self, ctx: &Context<'_>, id: ID) -> Result<ReturnPayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let id = parse_id(&id, "id")?;
        let writer = ctx.writer()?;
        Ok(review::approve(&writer, id, viewer.account_id())
            .await?
            .into())
    }

    /// Staff: the units are not taken back; `reason` (at most 1000 characters) is shown to
    /// the customer.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn return_decline(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<ReturnPayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let id = parse_id(&id, "id")?;
        let writer = ctx.writer()?;
        Ok(review::decline(&writer, id, &reason, viewer.account_id())
            .await?
            .into())
    }

    /// Staff: the units arrived (approved or not). With `restock` they go back on hand in the
    /// warehouses they shipped from (`stockChanged` subscribers see them). The order becomes
    /// PARTIALLY_RETURNED, or RETURNED when nothing shipped is left with the customer. Refund
    /// the lines next with `orderRefundCreate` and `restock: false`, then `returnClose`.
    #[graphql(complexity = "mutation_cost::WRITE * 3 + child_complexity")]
    async fn return_receive(
        &self,
        ctx: &Context<'_>,
        id: ID,
        restock: bool,
    ) -> Result<ReturnPayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let id = parse_id(&id, "id")?;
        let writer = ctx.writer()?;
        Ok(receive::receive(&writer, id, restock, viewer.account_id())
            .await?
            .into())
    }

    /// Staff: a RECEIVED return is done with (its refund made, or none owed).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn return_close(&self, ctx: &Context<'_>, id: ID) -> Result<ReturnPayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let id = parse_id(&id, "id")?;
        let writer = ctx.writer()?;
        Ok(review::close(&writer, id, viewer.account_id())
            .await?
            .into())
    }
}
