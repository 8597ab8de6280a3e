//! Shipments of an order's units, with their tracking.

use super::loaders::LinesOfOrder;
use super::types::{Order, OrderLine};
use crate::common::money::CurrencyCode;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::inventory::loaders::WarehouseById;
use crate::inventory::types::Warehouse;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entities::enums::{
    FulfillmentStatus as StoredFulfillment, OrderFulfillmentStatus as StoredOrderFulfillment,
};
use entities::{fulfillment, fulfillment_line};

/// How far an order's units have gone (beside its summary `status`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "StoredOrderFulfillment")]
pub enum OrderFulfillmentStatus {
    Unfulfilled,
    /// Some units shipped, some still allocated.
    PartiallyFulfilled,
    Fulfilled,
    /// Every shipment arrived.
    Delivered,
    PartiallyReturned,
    Returned,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "StoredFulfillment")]
pub enum FulfillmentStatus {
    Shipped,
    Delivered,
    /// Called back before delivery: its units are allocated to the order again.
    Cancelled,
}

pub struct Fulfillment {
    pub shipment: fulfillment::Model,
    pub lines: Vec<fulfillment_line::Model>,
    pub currency: CurrencyCode,
}

#[Object]
impl Fulfillment {
    async fn id(&self) -> ID {
        ID(self.shipment.id.to_string())
    }

    async fn status(&self) -> FulfillmentStatus {
        self.shipment.status.into()
    }

    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<FulfillmentLine>> {
        let order_lines = ctx
            .request()?
            .orders
            .load_one(LinesOfOrder(self.shipment.order_id))
            .await?
            .unwrap_or_default();
        Ok(self
            .lines
            .iter()
            .filter_map(|line| {
                let ordered = order_lines.iter().find(|l| l.id == line.order_line_id)?;
                Some(FulfillmentLine {
                    order_line: OrderLine::new(ordered.clone(), self.currency),
                    quantity: line.quantity,
                })
            })
            .collect())
    }

    /// Where the units left from (one warehouse per shipment).
    async fn warehouse(&self, ctx: &Context<'_>) -> Result<Option<Warehouse>> {
        let Some(line) = self.lines.first() else {
            return Ok(None);
        };
        let found = ctx
            .request()?
            .inventory
            .load_one(WarehouseById(line.warehouse_id))
            .await?;
        Ok(found.map(|model| Warehouse { model }))
    }

    async fn tracking_company(&self) -> Option<&str> {
        self.shipment.tracking_company.as_deref()
    }

    async fn tracking_number(&self) -> Option<&str> {
        self.shipment.tracking_number.as_deref()
    }

    async fn tracking_url(&self) -> Option<&str> {
        self.shipment.tracking_url.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.shipment.created_at
    }

    async fn shipped_at(&self) -> DateTime<Utc> {
        self.shipment.shipped_at
    }

    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.shipment.delivered_at
    }
}

#[derive(SimpleObject)]
pub struct FulfillmentLine {
    pub order_line: OrderLine,
    pub quantity: i32,
}

/// Units of one order line to ship.
#[derive(InputObject, Clone, Debug)]
pub struct FulfillmentLineInput {
    pub order_line_id: ID,
    pub quantity: i32,
}

#[derive(InputObject, Clone, Debug)]
pub struct FulfillmentCreateInput {
    pub lines: Vec<FulfillmentLineInput>,
    pub tracking_company: Option<String>,
    pub tracking_number: Option<String>,
    /// An http or https URL the shopper can follow.
    pub tracking_url: Option<String>,
    /// Whether the shopper gets a "shipped" email with the tracking (SPEC §9). The
    /// shopper's `orderUpdated` subscription hears of every shipment whatever this says.
    #[graphql(default = true)]
    pub notify_customer: bool,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct FulfillmentTrackingInput {
    pub tracking_company: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
}

/// The shipments made (one per warehouse the units left from) and the order after them.
#[derive(SimpleObject)]
pub struct FulfillmentCreatePayload {
    pub fulfillments: Vec<Fulfillment>,
    pub order: Option<Order>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct FulfillmentPayload {
    pub fulfillment: Option<Fulfillment>,
    pub order: Option<Order>,
    pub user_errors: Vec<UserError>,
}
