//! Returns as clients see them: what is sent back, why, and where it stands.

use super::loaders::{LinesOfOrder, OrderById};
use super::service::returns::StoredReturn;
use super::types::{Order, OrderLine};
use crate::common::money::CurrencyCode;
use crate::common::pagination::PageInfo;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entities::enums::ReturnStatus as StoredReturnStatus;
use entities::{order_return, return_line};

/// Where a return stands: REQUESTED → APPROVED or DECLINED; REQUESTED or APPROVED → RECEIVED
/// (the units arrived) → CLOSED (staff are done with it, refund included).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "StoredReturnStatus")]
pub enum ReturnStatus {
    /// Asked for; the units count as on their way back.
    Requested,
    Approved,
    /// Not taken back (`declineReason` says why); the units may be asked for again.
    Declined,
    /// The units arrived; `restocked` says whether they went back on hand.
    Received,
    Closed,
}

pub struct Return {
    pub stored: order_return::Model,
    pub lines: Vec<return_line::Model>,
}

impl From<StoredReturn> for Return {
    fn from((stored, lines): StoredReturn) -> Self {
        Self { stored, lines }
    }
}

#[Object]
impl Return {
    async fn id(&self) -> ID {
        ID(self.stored.id.to_string())
    }

    /// The order the units came from.
    async fn order(&self, ctx: &Context<'_>) -> Result<Option<Order>> {
        let found = ctx
            .request()?
            .orders
            .load_one(OrderById(self.stored.order_id))
            .await?;
        Ok(found.map(Order))
    }

    async fn status(&self) -> ReturnStatus {
        self.stored.status.into()
    }

    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<ReturnLine>> {
        let request = ctx.request()?;
        let order_id = self.stored.order_id;
        let (order, order_lines) = futures_util::try_join!(
            request.orders.load_one(OrderById(order_id)),
            request.orders.load_one(LinesOfOrder(order_id)),
        )?;
        let Some(order) = order else {
            return Ok(Vec::new());
        };
        let currency = CurrencyCode::stored(&order.currency_code)?;
        let order_lines = order_lines.unwrap_or_default();
        Ok(self
            .lines
            .iter()
            .filter_map(|line| {
                let ordered = order_lines.iter().find(|l| l.id == line.order_line_id)?;
                Some(ReturnLine {
                    order_line: OrderLine::new(ordered.clone(), currency),
                    quantity: line.quantity,
                    reason: line.reason.clone(),
                })
            })
            .collect())
    }

    /// Why staff declined it.
    async fn decline_reason(&self) -> Option<&str> {
        self.stored.decline_reason.as_deref()
    }

    /// Whether the units went back on hand when they arrived (staff refund a restocked
    /// return with `restock: false`: its units are back already).
    async fn restocked(&self) -> bool {
        self.stored.restocked
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.stored.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.stored.updated_at
    }

    /// When the units arrived.
    async fn received_at(&self) -> Option<DateTime<Utc>> {
        self.stored.received_at
    }
}

#[derive(SimpleObject)]
pub struct ReturnLine {
    pub order_line: OrderLine,
    pub quantity: i32,
    /// The customer's reason.
    pub reason: Option<String>,
}

/// Units of one order line to send back.
#[derive(InputObject, Clone, Debug)]
pub struct ReturnLineInput {
    pub order_line_id: ID,
    /// At most the units shipped that are not back or in another return.
    pub quantity: i32,
    /// Why (too small, arrived damaged, …): at most 500 characters.
    pub reason: Option<String>,
}

/// The return after the change, its order, and why nothing changed.
#[derive(SimpleObject)]
pub struct ReturnPayload {
    #[graphql(name = "return")]
    pub order_return: Option<Return>,
    pub order: Option<Order>,
    pub user_errors: Vec<UserError>,
}

impl ReturnPayload {
    pub fn refused(error: UserError) -> Self {
        Self {
            order_return: None,
            order: None,
            user_errors: vec![error],
        }
    }
}

/// A page of returns, newest first.
#[derive(SimpleObject)]
pub struct ReturnConnection {
    pub nodes: Vec<Return>,
    /// Cursors are return ids; pass `endCursor` as `after` for the next page.
    pub page_info: PageInfo,
}
