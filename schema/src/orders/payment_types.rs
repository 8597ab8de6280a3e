//! The money side of an order: its payments, their next customer action, and refunds.

use super::loaders::LinesOfOrder;
use super::types::{Order, OrderLine};
use crate::common::money::{CurrencyCode, Decimal, Money};
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entities::enums::{
    OrderPaymentStatus as StoredOrderPayment, PaymentStatus as StoredPayment,
    RefundStatus as StoredRefund,
};
use entities::{payment, refund, refund_line};

/// Where an order's money stands (beside its summary `status`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "StoredOrderPayment")]
pub enum OrderPaymentStatus {
    /// Nothing received yet (manual payment, or waiting for the provider or the customer).
    Pending,
    /// Held at the provider: staff capture it (`orderPaymentCapture`) or void it.
    Authorized,
    Paid,
    PartiallyRefunded,
    Refunded,
    /// The authorization was released; nothing was taken.
    Voided,
    /// Declined or failed; the order was cancelled.
    Failed,
}

/// Where one payment stands at its provider.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "StoredPayment")]
pub enum PaymentStatus {
    Pending,
    Authorized,
    /// Captured (`capturedAmount` says how much).
    Paid,
    PartiallyRefunded,
    Refunded,
    Voided,
    Declined,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "StoredRefund")]
pub enum RefundStatus {
    /// Asked of the provider; its money is held back from further refunds until it answers.
    Pending,
    Succeeded,
    /// The provider refused or failed: no money or stock moved. Try again with a new key.
    Failed,
}

/// What the customer must do before a pending payment completes: hand `clientSecret` to the
/// provider's script (Stripe.js `handleNextAction`), or send the buyer to `redirectUrl`.
#[derive(SimpleObject, Clone, Debug)]
pub struct NextAction {
    /// The provider's name for it, e.g. `use_stripe_sdk` or `redirect_to_url`.
    #[graphql(name = "type")]
    pub kind: String,
    pub client_secret: Option<String>,
    pub redirect_url: Option<String>,
}

pub struct Payment(pub payment::Model, pub CurrencyCode);

#[Object]
impl Payment {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn provider(&self) -> &str {
        &self.0.provider
    }

    async fn status(&self) -> PaymentStatus {
        self.0.status.into()
    }

    /// What the payment was for (the order's total at checkout).
    async fn amount(&self) -> Money {
        Money::from_minor(self.0.amount, self.1)
    }

    async fn captured_amount(&self) -> Money {
        Money::from_minor(self.0.captured_amount, self.1)
    }

    /// Refunds that succeeded.
    async fn refunded_amount(&self) -> Money {
        Money::from_minor(self.0.refunded_amount, self.1)
    }

    /// The provider's id for the payment, once known.
    async fn reference(&self) -> Option<&str> {
        self.0.provider_reference.as_deref()
    }

    /// Set while the payment waits for the customer (3-D Secure); cleared once it settles.
    async fn next_action(&self) -> Option<NextAction> {
        self.0.next_action.as_ref().map(|a| NextAction {
            kind: a.kind.clone(),
            client_secret: a.client_secret.clone(),
            redirect_url: a.redirect_url.clone(),
        })
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

pub struct Refund {
    refund: refund::Model,
    lines: Vec<refund_line::Model>,
    currency: CurrencyCode,
}

impl Refund {
    pub fn new(
        refund: refund::Model,
        lines: Vec<refund_line::Model>,
        currency: CurrencyCode,
    ) -> Self {
        Self {
            refund,
            lines,
            currency,
        }
    }
}

#[Object]
impl Refund {
    async fn id(&self) -> ID {
        ID(self.refund.id.to_string())
    }

    /// Everything given back, shipping included.
    async fn amount(&self) -> Money {
        Money::from_minor(self.refund.amount, self.currency)
    }

    /// The part of `amount` that is the shipping charge.
    async fn shipping_amount(&self) -> Money {
        Money::from_minor(self.refund.shipping_amount, self.currency)
    }

    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<RefundLine>> {
        let order_lines = ctx
            .request()?
            .orders
            .load_one(LinesOfOrder(self.refund.order_id))
            .await?
            .unwrap_or_default();
        Ok(self
            .lines
            .iter()
            .filter_map(|line| {
                let order_line = order_lines.iter().find(|l| l.id == line.order_line_id)?;
                Some(RefundLine {
                    order_line: OrderLine::new(order_line.clone(), self.currency),
                    quantity: line.quantity,
                    amount: Money::from_minor(line.amount, self.currency),
                })
            })
            .collect())
    }

    async fn reason(&self) -> Option<&str> {
        self.refund.reason.as_deref()
    }

    async fn status(&self) -> RefundStatus {
        self.refund.status.into()
    }

    /// Whether the refunded units went back to stock.
    async fn restock(&self) -> bool {
        self.refund.restock
    }

    /// Why the provider refused or failed it.
    async fn failure_reason(&self) -> Option<&str> {
        self.refund.failure_reason.as_deref()
    }

    /// The provider's id for the refund.
    async fn reference(&self) -> Option<&str> {
        self.refund.provider_reference.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.refund.created_at
    }
}

#[derive(SimpleObject)]
pub struct RefundLine {
    pub order_line: OrderLine,
    pub quantity: i32,
    /// This line's share of what was paid for these units (discounts and tax apportioned).
    pub amount: Money,
}

/// Units of one order line to refund.
#[derive(InputObject, Clone, Debug)]
pub struct OrderRefundLineInput {
    pub order_line_id: ID,
    pub quantity: i32,
}

/// What to refund: lines (priced from the order), the shipping charge, and/or a free amount.
#[derive(InputObject, Clone, Debug, Default)]
pub struct OrderRefundInput {
    #[graphql(default)]
    pub lines: Vec<OrderRefundLineInput>,
    /// Add the shipping charge (once per order).
    #[graphql(default)]
    pub include_shipping: bool,
    /// A free amount in the order's currency, added to the lines' amounts.
    pub amount: Option<Decimal>,
    /// Shown in the order's history (at most 1000 characters).
    pub reason: Option<String>,
    /// Put the lines' units back: released if not shipped yet, back on hand if shipped.
    #[graphql(default)]
    pub restock: bool,
}

#[derive(SimpleObject)]
pub struct RefundCreatePayload {
    pub refund: Option<Refund>,
    pub order: Option<Order>,
    pub user_errors: Vec<UserError>,
}
