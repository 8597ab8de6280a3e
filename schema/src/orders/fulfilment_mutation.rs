//! Staff shipping orders (MANAGE_ORDERS): shipments with tracking, delivery, call-backs.

use super::fulfilment_types::{
    Fulfillment, FulfillmentCreateInput, FulfillmentCreatePayload, FulfillmentPayload,
    FulfillmentTrackingInput,
};
use super::service::fulfilments::changes::{self, Changed};
use super::service::fulfilments::{self, LineRequest, ShipmentRequest, Tracking};
use super::types::Order;
use crate::common::ids::parse_id;
use crate::common::money::CurrencyCode;
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct FulfilmentMutation;

fn payload(outcome: std::result::Result<Changed, UserError>) -> Result<FulfillmentPayload> {
    Ok(match outcome {
        Ok(Changed {
            fulfillment: (shipment, lines),
            order,
        }) => FulfillmentPayload {
            fulfillment: Some(Fulfillment {
                shipment,
                lines,
                currency: CurrencyCode::stored(&order.currency_code)?,
            }),
            order: Some(Order(order)),
            user_errors: Vec::new(),
        },
        Err(error) => FulfillmentPayload {
            fulfillment: None,
            order: None,
            user_errors: vec![error],
        },
    })
}

#[Object]
impl FulfilmentMutation {
    /// Ships units of a PAID order: never more than are allocated and not shipped yet (of
    /// concurrent shipments of the last unit, one succeeds), from the warehouses they were
    /// allocated in (one shipment per warehouse), `onHand` and `allocated` dropping together.
    /// The order becomes PARTIALLY_FULFILLED, or FULFILLED with its last units; its owner sees
    /// the tracking live (`orderUpdated`).
    #[graphql(complexity = "mutation_cost::WRITE * 3 + child_complexity")]
    async fn fulfillment_create(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        input: FulfillmentCreateInput,
    ) -> Result<FulfillmentCreatePayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let mut lines = Vec::with_capacity(input.lines.len());
        for line in &input.lines {
            lines.push(LineRequest {
                order_line_id: parse_id(&line.order_line_id, "orderLineId")?,
                quantity: line.quantity,
            });
        }
        let request = ShipmentRequest {
            order_id: parse_id(&order_id, "orderId")?,
            lines,
            tracking: Tracking {
                company: input.tracking_company,
                number: input.tracking_number,
                url: input.tracking_url,
            },
            actor: viewer.account_id(),
            notify_customer: input.notify_customer,
        };
        let outcome = fulfilments::create(&ctx.writer()?, request).await?;
        Ok(match outcome {
            Ok(done) => {
                let currency = CurrencyCode::stored(&done.order.currency_code)?;
                FulfillmentCreatePayload {
                    fulfillments: done
                        .fulfillments
                        .into_iter()
                        .map(|(shipment, lines)| Fulfillment {
                            shipment,
                            lines,
                            currency,
                        })
                        .collect(),
                    order: Some(Order(done.order)),
                    user_errors: Vec::new(),
                }
            }
            Err(error) => FulfillmentCreatePayload {
                fulfillments: Vec::new(),
                order: None,
                user_errors: vec![error],
            },
        })
    }

    /// New tracking for a shipment (the order's subscribers see it).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn fulfillment_tracking_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: FulfillmentTrackingInput,
    ) -> Result<FulfillmentPayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let tracking = Tracking {
            company: input.tracking_company,
            number: input.tracking_number,
            url: input.tracking_url,
        };
        let id = parse_id(&id, "id")?;
        let writer = ctx.writer()?;
        payload(changes::update_tracking(&writer, id, tracking, viewer.account_id()).await?)
    }

    /// The shipment arrived; with the last one out, the order is DELIVERED.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn fulfillment_mark_delivered(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<FulfillmentPayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let id = parse_id(&id, "id")?;
        let writer = ctx.writer()?;
        payload(changes::mark_delivered(&writer, id, viewer.account_id()).await?)
    }

    /// Calls a shipment back before delivery: its units are on hand and allocated to the
    /// order again, ready to ship.
    #[graphql(complexity = "mutation_cost::WRITE * 2 + child_complexity")]
    async fn fulfillment_cancel(&self, ctx: &Context<'_>, id: ID) -> Result<FulfillmentPayload> {
        let viewer = &ctx.request()?.viewer;
        viewer.require_any(&[Permission::ManageOrders])?;
        let id = parse_id(&id, "id")?;
        let writer = ctx.writer()?;
        payload(changes::cancel(&writer, id, viewer.account_id()).await?)
    }
}
