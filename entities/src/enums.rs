//! Enumerations stored as upper-case strings. Strings (not native PostgreSQL enums) keep the
//! schema identical on SQLite and PostgreSQL, and adding a value needs no `ALTER TYPE`.
//! serde uses the same spelling (`"FIXED_AMOUNT"`), so JSON payloads (outbox events) match
//! the database and the GraphQL enum values.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Publication state of a product; only `Active` products are public.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ProductStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}

/// A cart is `Converted` once an order was placed from it; it is then read-only.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CartStatus {
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "CONVERTED")]
    Converted,
}

/// How a discount's `value` is interpreted.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DiscountKind {
    /// `value` is in basis points.
    #[sea_orm(string_value = "PERCENTAGE")]
    Percentage,
    /// `value` is in minor units of the discount's currency.
    #[sea_orm(string_value = "FIXED_AMOUNT")]
    FixedAmount,
    #[sea_orm(string_value = "FREE_SHIPPING")]
    FreeShipping,
}

/// Lifecycle of an order.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OrderStatus {
    #[sea_orm(string_value = "PLACED")]
    Placed,
    #[sea_orm(string_value = "PAID")]
    Paid,
    #[sea_orm(string_value = "FULFILLED")]
    Fulfilled,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    #[sea_orm(string_value = "REFUNDED")]
    Refunded,
}

/// What an entry of an order's history records (32 characters: kinds outgrow statuses).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum OrderEventKind {
    #[sea_orm(string_value = "PLACED")]
    Placed,
    #[sea_orm(string_value = "PAID")]
    Paid,
    #[sea_orm(string_value = "FULFILLED")]
    Fulfilled,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    #[sea_orm(string_value = "REFUNDED")]
    Refunded,
    #[sea_orm(string_value = "PAYMENT_DECLINED")]
    PaymentDeclined,
    #[sea_orm(string_value = "PAYMENT_AUTHORIZED")]
    PaymentAuthorized,
    #[sea_orm(string_value = "PAYMENT_CAPTURED")]
    PaymentCaptured,
    #[sea_orm(string_value = "PAYMENT_VOIDED")]
    PaymentVoided,
    /// Part of the captured money went back.
    #[sea_orm(string_value = "PARTIALLY_REFUNDED")]
    PartiallyRefunded,
    /// A refund the provider refused or failed (nothing moved).
    #[sea_orm(string_value = "REFUND_FAILED")]
    RefundFailed,
    /// A capture or void the provider refused.
    #[sea_orm(string_value = "PAYMENT_OPERATION_FAILED")]
    PaymentOperationFailed,
    /// A shipment left with some of the order's units.
    #[sea_orm(string_value = "PARTIALLY_FULFILLED")]
    PartiallyFulfilled,
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    #[sea_orm(string_value = "FULFILLMENT_CANCELLED")]
    FulfillmentCancelled,
    #[sea_orm(string_value = "TRACKING_UPDATED")]
    TrackingUpdated,
    #[sea_orm(string_value = "NOTE")]
    Note,
    /// The customer (or a guest holding the order's key) asked to send units back.
    #[sea_orm(string_value = "RETURN_REQUESTED")]
    ReturnRequested,
    #[sea_orm(string_value = "RETURN_APPROVED")]
    ReturnApproved,
    #[sea_orm(string_value = "RETURN_DECLINED")]
    ReturnDeclined,
    /// Returned units arrived (the order's fulfilment moves to PARTIALLY_RETURNED or RETURNED).
    #[sea_orm(string_value = "RETURN_RECEIVED")]
    ReturnReceived,
    #[sea_orm(string_value = "RETURN_CLOSED")]
    ReturnClosed,
}

/// State of one payment at a provider.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum PaymentStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Held at the provider, not captured yet.
    #[sea_orm(string_value = "AUTHORIZED")]
    Authorized,
    /// Captured (all or part of the authorization).
    #[sea_orm(string_value = "PAID")]
    Paid,
    #[sea_orm(string_value = "PARTIALLY_REFUNDED")]
    PartiallyRefunded,
    #[sea_orm(string_value = "REFUNDED")]
    Refunded,
    /// The authorization was released without a capture.
    #[sea_orm(string_value = "VOIDED")]
    Voided,
    #[sea_orm(string_value = "DECLINED")]
    Declined,
}

/// The order's payment dimension (SPEC §8), beside its summary `status`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum OrderPaymentStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "AUTHORIZED")]
    Authorized,
    #[sea_orm(string_value = "PAID")]
    Paid,
    #[sea_orm(string_value = "PARTIALLY_REFUNDED")]
    PartiallyRefunded,
    #[sea_orm(string_value = "REFUNDED")]
    Refunded,
    #[sea_orm(string_value = "VOIDED")]
    Voided,
    /// The payment was declined or failed.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// The order's fulfilment dimension (SPEC §8), beside its summary `status`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum OrderFulfillmentStatus {
    #[sea_orm(string_value = "UNFULFILLED")]
    Unfulfilled,
    #[sea_orm(string_value = "PARTIALLY_FULFILLED")]
    PartiallyFulfilled,
    #[sea_orm(string_value = "FULFILLED")]
    Fulfilled,
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    #[sea_orm(string_value = "PARTIALLY_RETURNED")]
    PartiallyReturned,
    #[sea_orm(string_value = "RETURNED")]
    Returned,
}

/// Where one shipment stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum FulfillmentStatus {
    #[sea_orm(string_value = "SHIPPED")]
    Shipped,
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    /// Called back before delivery: its units went back to the order's allocation.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// Where a refund stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RefundStatus {
    /// Asked of the provider; its money is reserved until the answer.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "SUCCEEDED")]
    Succeeded,
    /// The provider refused or failed: no money moved, the reservation was released.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// Where a return stands (SPEC §8 "Returns"); the moves are in
/// `schema/src/orders/service/returns/mod.rs`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ReturnStatus {
    /// Asked for; its units count as on their way back until it is declined.
    #[sea_orm(string_value = "REQUESTED")]
    Requested,
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    /// The units arrived (and went back on hand if staff restocked them).
    #[sea_orm(string_value = "RECEIVED")]
    Received,
    /// Done with: staff refunded it (or decided not to).
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// Where one webhook delivery stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum WebhookDeliveryStatus {
    /// Not attempted yet, or made due again by `webhookDeliveryRetry`.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// A receiver answered 2xx.
    #[sea_orm(string_value = "SUCCEEDED")]
    Succeeded,
    /// The last attempt failed; another is scheduled (`next_attempt_at`).
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Every attempt of the schedule failed; only a manual retry sends it again.
    #[sea_orm(string_value = "GAVE_UP")]
    GaveUp,
}

/// Where one queued mail stands (`mail_jobs.status`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MailJobStatus {
    /// Waiting for its next attempt (`next_attempt_at`), or being sent under a lease.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// The SMTP server (or the Maildir) took it.
    #[sea_orm(string_value = "SENT")]
    Sent,
    /// Every attempt failed; `last_error` says why.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Not sent on purpose: the address unsubscribed, or what it announced was undone
    /// before it went out (`last_error` says which).
    #[sea_orm(string_value = "SKIPPED")]
    Skipped,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde and the database spell every value the same way.
    fn same_spelling<E: ActiveEnum<Value = String> + Serialize>() {
        for value in E::iter() {
            let json = serde_json::to_value(&value).ok();
            assert_eq!(json, Some(serde_json::Value::String(value.to_value())));
        }
    }

    #[test]
    fn serde_matches_the_stored_strings() {
        same_spelling::<ProductStatus>();
        same_spelling::<CartStatus>();
        same_spelling::<DiscountKind>();
        same_spelling::<OrderStatus>();
        same_spelling::<OrderEventKind>();
        same_spelling::<PaymentStatus>();
        same_spelling::<OrderPaymentStatus>();
        same_spelling::<RefundStatus>();
        same_spelling::<OrderFulfillmentStatus>();
        same_spelling::<FulfillmentStatus>();
        same_spelling::<ReturnStatus>();
        same_spelling::<WebhookDeliveryStatus>();
        same_spelling::<MailJobStatus>();
    }
}

/// Where a staff member stands (`staff_members.status`): only ACTIVE members hold their
/// roles' permissions and may sign in.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum StaffStatus {
    /// Invited; becomes ACTIVE when the invitation is accepted.
    #[sea_orm(string_value = "INVITED")]
    Invited,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// Switched off by staff (`staffDeactivate`); `staffReactivate` switches it back on.
    #[sea_orm(string_value = "DEACTIVATED")]
    Deactivated,
}
