//! Order types. Orders are snapshots: names, SKUs and prices as they were at checkout.

use super::fulfilment_types::{Fulfillment, OrderFulfillmentStatus};
use super::loaders::{
    EventsOfOrder, FulfillmentsOfOrder, LinesOfOrder, PaymentsOfOrder, RefundsOfOrder,
    ReturnsOfOrder,
};
use super::payment_types::{OrderPaymentStatus, Payment, Refund};
use super::return_types::Return;
use crate::carts::types::MailingAddress;
use crate::common::money::{CurrencyCode, Money};
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::shipping::service::rates::MethodId;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entities::enums::{OrderEventKind as StoredEventKind, OrderStatus as StoredStatus};
use entities::{order, order_event, order_line};

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    Placed,
    Paid,
    Fulfilled,
    Cancelled,
    Refunded,
}

impl From<StoredStatus> for OrderStatus {
    fn from(status: StoredStatus) -> Self {
        match status {
            StoredStatus::Placed => Self::Placed,
            StoredStatus::Paid => Self::Paid,
            StoredStatus::Fulfilled => Self::Fulfilled,
            StoredStatus::Cancelled => Self::Cancelled,
            StoredStatus::Refunded => Self::Refunded,
        }
    }
}

impl From<OrderStatus> for StoredStatus {
    fn from(status: OrderStatus) -> Self {
        match status {
            OrderStatus::Placed => Self::Placed,
            OrderStatus::Paid => Self::Paid,
            OrderStatus::Fulfilled => Self::Fulfilled,
            OrderStatus::Cancelled => Self::Cancelled,
            OrderStatus::Refunded => Self::Refunded,
        }
    }
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrderEventKind {
    Placed,
    Paid,
    Fulfilled,
    Cancelled,
    Refunded,
    PaymentDeclined,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentVoided,
    /// Part of the captured money went back.
    PartiallyRefunded,
    /// A refund the provider refused or failed: nothing moved.
    RefundFailed,
    /// A capture or void the provider refused: nothing moved.
    PaymentOperationFailed,
    /// A shipment left with some of the order's units.
    PartiallyFulfilled,
    /// A shipment (or, with the order's status DELIVERED, every one) arrived.
    Delivered,
    /// A shipment was called back; its units are allocated again.
    FulfillmentCancelled,
    TrackingUpdated,
    Note,
    /// The customer asked to return units (`Order.returns` has the request).
    ReturnRequested,
    ReturnApproved,
    ReturnDeclined,
    /// Returned units arrived.
    ReturnReceived,
    ReturnClosed,
}

impl From<StoredEventKind> for OrderEventKind {
    fn from(kind: StoredEventKind) -> Self {
        match kind {
            StoredEventKind::Placed => Self::Placed,
            StoredEventKind::Paid => Self::Paid,
            StoredEventKind::Fulfilled => Self::Fulfilled,
            StoredEventKind::Cancelled => Self::Cancelled,
            StoredEventKind::Refunded => Self::Refunded,
            StoredEventKind::PaymentDeclined => Self::PaymentDeclined,
            StoredEventKind::PaymentAuthorized => Self::PaymentAuthorized,
            StoredEventKind::PaymentCaptured => Self::PaymentCaptured,
            StoredEventKind::PaymentVoided => Self::PaymentVoided,
            StoredEventKind::PartiallyRefunded => Self::PartiallyRefunded,
            StoredEventKind::RefundFailed => Self::RefundFailed,
            StoredEventKind::PaymentOperationFailed => Self::PaymentOperationFailed,
            StoredEventKind::PartiallyFulfilled => Self::PartiallyFulfilled,
            StoredEventKind::Delivered => Self::Delivered,
            StoredEventKind::FulfillmentCancelled => Self::FulfillmentCancelled,
            StoredEventKind::TrackingUpdated => Self::TrackingUpdated,
            StoredEventKind::Note => Self::Note,
            StoredEventKind::ReturnRequested => Self::ReturnRequested,
            StoredEventKind::ReturnApproved => Self::ReturnApproved,
            StoredEventKind::ReturnDeclined => Self::ReturnDeclined,
            StoredEventKind::ReturnReceived => Self::ReturnReceived,
            StoredEventKind::ReturnClosed => Self::ReturnClosed,
        }
    }
}

pub struct Order(pub order::Model);

impl Order {
    fn currency(&self) -> Result<CurrencyCode> {
        Ok(CurrencyCode::stored(&self.0.currency_code)?)
    }

    fn money(&self, minor: i64) -> Result<Money> {
        Ok(Money::from_minor(minor, self.currency()?))
    }
}

#[Object]
impl Order {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Human-facing, increasing order number.
    async fn number(&self) -> i64 {
        self.0.number
    }

    async fn status(&self) -> OrderStatus {
        self.0.status.into()
    }

    /// Where the money stands: authorized, captured, refunded (SPEC §8).
    async fn payment_status(&self) -> OrderPaymentStatus {
        self.0.payment_status.into()
    }

    /// How far the units have gone: shipped in part or in full, delivered (SPEC §8).
    async fn fulfillment_status(&self) -> OrderFulfillmentStatus {
        self.0.fulfillment_status.into()
    }

    /// Every shipment, oldest first, with its tracking.
    async fn fulfillments(&self, ctx: &Context<'_>) -> Result<Vec<Fulfillment>> {
        let shipments = ctx
            .request()?
            .orders
            .load_one(FulfillmentsOfOrder(self.0.id))
            .await?
            .unwrap_or_default();
        let currency = self.currency()?;
        Ok(shipments
            .into_iter()
            .map(|(shipment, lines)| Fulfillment {
                shipment,
                lines,
                currency,
            })
            .collect())
    }

    /// Every return asked for, oldest first.
    async fn returns(&self, ctx: &Context<'_>) -> Result<Vec<Return>> {
        let returns = ctx
            .request()?
            .orders
            .load_one(ReturnsOfOrder(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(returns.into_iter().map(Return::from).collect())
    }

    async fn email(&self) -> &str {
        &self.0.email
    }

    async fn customer_id(&self) -> Option<ID> {
        self.0.customer_id.map(|id| ID(id.to_string()))
    }

    async fn currency_code(&self) -> Result<CurrencyCode> {
        self.currency()
    }

    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<OrderLine>> {
        let lines = ctx
            .request()?
            .orders
            .load_one(LinesOfOrder(self.0.id))
            .await?
            .unwrap_or_default();
        let currency = self.currency()?;
        Ok(lines
            .into_iter()
            .map(|line| OrderLine { line, currency })
            .collect())
    }

    async fn subtotal(&self) -> Result<Money> {
        self.money(self.0.subtotal)
    }

    async fn discount_total(&self) -> Result<Money> {
        self.money(self.0.discount_total)
    }

    async fn shipping_total(&self) -> Result<Money> {
        self.money(self.0.shipping_total)
    }

    async fn tax_total(&self) -> Result<Money> {
        self.money(self.0.tax_total)
    }

    async fn total(&self) -> Result<Money> {
        self.money(self.0.total)
    }

    /// The amount discount code used, if any (the PLACED event lists every code).
    /// How the order ships, as chosen at checkout (null for orders placed before shipping
    /// methods existed).
    async fn shipping_method(&self) -> Option<OrderShippingMethod> {
        let name = self.0.shipping_method_name.clone()?;
        let id = match self.0.shipping_method_id {
            Some(id) => MethodId::Configured(id),
            None => MethodId::FlatRate,
        };
        Some(OrderShippingMethod {
            id: ID(id.to_id_string()),
            name,
        })
    }

    async fn discount_code(&self) -> Option<&str> {
        self.0.discount_code.as_deref()
    }

    async fn shipping_address(&self) -> Option<MailingAddress> {
        self.0.shipping_address.clone().map(MailingAddress::from)
    }

    /// Where the invoice goes (the shipping address when the buyer gave no other).
    async fn billing_address(&self) -> Option<MailingAddress> {
        self.0.billing_address.clone().map(MailingAddress::from)
    }

    /// Every status change and note, oldest first.
    async fn events(&self, ctx: &Context<'_>) -> Result<Vec<OrderEvent>> {
        let events = ctx
            .request()?
            .orders
            .load_one(EventsOfOrder(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(events.into_iter().map(OrderEvent).collect())
    }

    async fn payments(&self, ctx: &Context<'_>) -> Result<Vec<Payment>> {
        let payments = ctx
            .request()?
            .orders
            .load_one(PaymentsOfOrder(self.0.id))
            .await?
            .unwrap_or_default();
        let currency = self.currency()?;
        Ok(payments.into_iter().map(|p| Payment(p, currency)).collect())
    }

    /// Every refund asked for, oldest first, with its outcome.
    async fn refunds(&self, ctx: &Context<'_>) -> Result<Vec<Refund>> {
        let refunds = ctx
            .request()?
            .orders
            .load_one(RefundsOfOrder(self.0.id))
            .await?
            .unwrap_or_default();
        let currency = self.currency()?;
        Ok(refunds
            .into_iter()
            .map(|(refund, lines)| Refund::new(refund, lines, currency))
            .collect())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

pub struct OrderLine {
    line: order_line::Model,
    currency: CurrencyCode,
}

impl OrderLine {
    pub fn new(line: order_line::Model, currency: CurrencyCode) -> Self {
        Self { line, currency }
    }
}

#[Object]
impl OrderLine {
    async fn id(&self) -> ID {
        ID(self.line.id.to_string())
    }

    async fn sku(&self) -> &str {
        &self.line.sku
    }

    async fn product_name(&self) -> &str {
        &self.line.product_name
    }

    async fn variant_name(&self) -> &str {
        &self.line.variant_name
    }

    /// The variant bought, while it exists (the line itself never changes).
    async fn variant_id(&self) -> Option<ID> {
        self.line.variant_id.map(|id| ID(id.to_string()))
    }

    async fn product_id(&self) -> Option<ID> {
        self.line.product_id.map(|id| ID(id.to_string()))
    }

    async fn quantity(&self) -> i32 {
        self.line.quantity
    }

    /// Units refunds have claimed (pending or succeeded); at most `quantity`.
    async fn refunded_quantity(&self) -> i32 {
        self.line.refunded_quantity
    }

    /// Units on shipments that were not cancelled.
    async fn shipped_quantity(&self) -> i32 {
        self.line.shipped_quantity
    }

    async fn unit_price(&self) -> Money {
        Money::from_minor(self.line.unit_price, self.currency)
    }

    async fn total(&self) -> Money {
        Money::from_minor(self.line.total, self.currency)
    }
}

/// The shipping method an order was placed with, as it was named then.
#[derive(SimpleObject)]
pub struct OrderShippingMethod {
    /// The method's id (`flat-rate` for the built-in rate); it may since have been deleted.
    pub id: ID,
    pub name: String,
}

pub struct OrderEvent(order_event::Model);

#[Object]
impl OrderEvent {
    async fn kind(&self) -> OrderEventKind {
        self.0.kind.into()
    }

    async fn from_status(&self) -> Option<OrderStatus> {
        self.0.from_status.map(Into::into)
    }

    async fn to_status(&self) -> Option<OrderStatus> {
        self.0.to_status.map(Into::into)
    }

    async fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// How to pay; leave it out for the `manual` provider.
#[derive(InputObject, Clone, Debug)]
pub struct PaymentInput {
    /// `manual`, `test` or `stripe` (when configured).
    pub provider: String,
    /// Provider-specific. `test`: `tok_visa` pays, `tok_authorize` authorizes only,
    /// `tok_refund_fail` pays but refunds fail, `tok_pending` waits for a webhook,
    /// `tok_declined` is declined. `stripe`: a PaymentMethod id (`pm_…`) from Stripe.js.
    pub token: Option<String>,
}

#[derive(SimpleObject)]
pub struct CheckoutCompletePayload {
    pub order: Option<Order>,
    /// A secret that opens this order to whoever holds it (`orderByAccessKey`,
    /// `orderUpdated(accessKey:)`): how a guest gets back to the order. Shown only here and
    /// stored only as a hash, so keep it (e.g. in the confirmation link); a replay of the
    /// same checkout answers with a new key, and the earlier ones keep working. Null without
    /// an order (and after 20 replays of one checkout).
    pub access_key: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct OrderPayload {
    pub order: Option<Order>,
    pub user_errors: Vec<UserError>,
}

impl From<Result<order::Model, UserError>> for OrderPayload {
    fn from(outcome: Result<order::Model, UserError>) -> Self {
        match outcome {
            Ok(order) => Self {
                order: Some(Order(order)),
                user_errors: Vec::new(),
            },
            Err(error) => Self {
                order: None,
                user_errors: vec![error],
            },
        }
    }
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct OrderFilter {
    pub status: Option<Vec<OrderStatus>>,
    /// E.g. `[AUTHORIZED]`: orders whose money waits to be captured.
    pub payment_status: Option<Vec<OrderPaymentStatus>>,
    pub customer_id: Option<ID>,
    /// Orders placed at or after this instant.
    pub created_after: Option<DateTime<Utc>>,
    /// Orders placed before this instant.
    pub created_before: Option<DateTime<Utc>>,
}
