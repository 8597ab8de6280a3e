//! The order process: every status an order can be in, every change allowed between them,
//! and what each change does — in one table, read by every path that changes an order
//! (staff mutations, checkout's payment outcome, provider webhooks, captures, voids and
//! refunds).
//!
//! An order has two dimensions: its summary `status` and its `paymentStatus` (SPEC §8). A
//! row names the source status and the payment statuses it applies to, the action, the
//! target of both, the side effects (each carried out by the context that owns the data:
//! inventory releases or ships stock, discounts take their uses back, carts reopen) and the
//! history entries written. A combination with no row is refused.
//!
//! ```text
//!                  status                          paymentStatus
//! checkout      →  PLACED                          PENDING
//! authorize        PLACED                          PENDING → AUTHORIZED
//! mark paid        PLACED → PAID                   PENDING | AUTHORIZED → PAID
//! capture          PLACED → PAID                   AUTHORIZED → PAID
//! void             PLACED → CANCELLED              AUTHORIZED → VOIDED       (stock, discounts back)
//! decline          PLACED → CANCELLED              PENDING | AUTHORIZED → FAILED (… and cart reopens)
//! cancel           PLACED | PAID → CANCELLED       unchanged (PENDING, FAILED, or money kept: refund it)
//! fulfil           PAID → FULFILLED                unchanged
//! refund part      PAID | FULFILLED | CANCELLED    PAID | PARTIALLY_REFUNDED → PARTIALLY_REFUNDED
//! refund the rest  PAID | FULFILLED → REFUNDED     PAID | PARTIALLY_REFUNDED → REFUNDED
//!                  CANCELLED stays                 (an unshipped PAID order's stock comes back)
//! ```

use entities::enums::{OrderEventKind, OrderPaymentStatus, OrderStatus, PaymentStatus};

/// What can be done to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderAction {
    /// Payment arrived: staff marked it (`orderMarkPaid`) or the provider confirmed it.
    MarkPaid,
    /// The provider declined the payment.
    Decline,
    Fulfil,
    Cancel,
    /// Refunds the last of the captured money (`orderRefund`, or a refund that reaches it).
    Refund,
    /// The provider holds the money for a later capture.
    Authorize,
    /// Staff captured (all or part of) an authorization.
    Capture,
    /// Staff released an authorization: the order is cancelled.
    Void,
    /// A refund that leaves captured money behind.
    RefundPart,
}

impl OrderAction {
    pub const ALL: [OrderAction; 9] = [
        Self::MarkPaid,
        Self::Decline,
        Self::Fulfil,
        Self::Cancel,
        Self::Refund,
        Self::Authorize,
        Self::Capture,
        Self::Void,
        Self::RefundPart,
    ];

    /// How a refusal names it: "a FULFILLED order cannot be cancelled".
    pub fn verb(self) -> &'static str {
        match self {
            Self::MarkPaid => "marked paid",
            Self::Decline => "declined",
            Self::Fulfil => "fulfilled",
            Self::Cancel => "cancelled",
            Self::Refund | Self::RefundPart => "refunded",
            Self::Authorize => "authorized",
            Self::Capture => "captured",
            Self::Void => "voided",
        }
    }
}

/// A side effect of a transition, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// The order's allocated units become available again (`inventory::release`).
    ReleaseStock,
    /// The allocated units leave the warehouses: `onHand` and `allocated` drop
    /// (`inventory::fulfil`).
    ShipStock,
    /// Each discount the order used gets its use back, once however often the order is undone
    /// (`discounts::give_back`).
    GiveBackDiscounts,
    /// The cart the order came from can be checked out again (`carts::reopen`).
    ReopenCart,
    /// The payment's captured amount becomes what the provider took (the caller's
    /// `Detail::captured`, else the whole payment).
    RecordCapture,
}

/// One allowed change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    pub from: OrderStatus,
    /// The payment statuses this row starts from.
    pub paying: &'static [OrderPaymentStatus],
    pub action: OrderAction,
    pub to: OrderStatus,
    /// The order's payment status afterwards, when the transition changes it.
    pub payment: Option<OrderPaymentStatus>,
    pub effects: &'static [Effect],
    /// The entries added to the order's history, in order.
    pub history: &'static [(OrderEventKind, Note)],
}

/// What a history entry says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Note {
    /// The caller's note (staff's comment, the provider's reason or payment reference).
    Caller,
    Fixed(&'static str),
}

use Effect::{GiveBackDiscounts, RecordCapture, ReleaseStock, ReopenCart, ShipStock};
use OrderAction as A;
use OrderPaymentStatus as P;
use OrderStatus as S;

/// Undoing a purchase: the stock goes back and so do the discounts' uses.
const UNDO_PURCHASE: &[Effect] = &[ReleaseStock, GiveBackDiscounts];
/// Captured money that may be refunded.
const REFUNDABLE: &[OrderPaymentStatus] = &[P::Paid, P::PartiallyRefunded];
/// Any payment status.
const ANY: &[OrderPaymentStatus] = &[
    P::Pending,
    P::Authorized,
    P::Paid,
    P::PartiallyRefunded,
    P::Refunded,
    P::Voided,
    P::Failed,
];

/// Every allowed transition. Anything else is refused with ILLEGAL_TRANSITION.
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        from: S::Placed,
        paying: &[P::Pending],
        action: A::Authorize,
        to: S::Placed,
        payment: Some(P::Authorized),
        effects: &[],
        history: &[(OrderEventKind::PaymentAuthorized, Note::Caller)],
    },
    // Authorized too: a capture made at the provider's dashboard arrives as "paid".
    Transition {
        from: S::Placed,
        paying: &[P::Pending, P::Authorized],
        action: A::MarkPaid,
        to: S::Paid,
        payment: Some(P::Paid),
        effects: &[RecordCapture],
        history: &[(OrderEventKind::Paid, Note::Caller)],
    },
    Transition {
        from: S::Placed,
        paying: &[P::Authorized],
        action: A::Capture,
        to: S::Paid,
        payment: Some(P::Paid),
        effects: &[RecordCapture],
        history: &[
            (OrderEventKind::PaymentCaptured, Note::Caller),
            (OrderEventKind::Paid, Note::Fixed("payment captured")),
        ],
    },
    Transition {
        from: S::Placed,
        paying: &[P::Authorized],
        action: A::Void,
        to: S::Cancelled,
        payment: Some(P::Voided),
        effects: UNDO_PURCHASE,
        history: &[
            (OrderEventKind::PaymentVoided, Note::Caller),
            (OrderEventKind::Cancelled, Note::Fixed("payment voided")),
        ],
    },
    // Only an unpaid order: a late or reordered failure notice cannot cancel a paid one.
    Transition {
        from: S::Placed,
        paying: &[P::Pending, P::Authorized],
        action: A::Decline,
        to: S::Cancelled,
        payment: Some(P::Failed),
        effects: &[ReleaseStock, GiveBackDiscounts, ReopenCart],
        history: &[
            (OrderEventKind::PaymentDeclined, Note::Caller),
            (OrderEventKind::Cancelled, Note::Fixed("payment declined")),
        ],
    },
    Transition {
        from: S::Paid,
        paying: ANY,
        action: A::Fulfil,
        to: S::Fulfilled,
        payment: None,
        effects: &[ShipStock],
        history: &[(OrderEventKind::Fulfilled, Note::Caller)],
    },
    // An authorization is voided rather than cancelled, so the provider lets the money go.
    Transition {
        from: S::Placed,
        paying: &[P::Pending, P::Failed],
        action: A::Cancel,
        to: S::Cancelled,
        payment: None,
        effects: UNDO_PURCHASE,
        history: &[(OrderEventKind::Cancelled, Note::Caller)],
    },
    // The money stays captured: staff refund it (the order can be refunded while cancelled).
    Transition {
        from: S::Paid,
        paying: ANY,
        action: A::Cancel,
        to: S::Cancelled,
        payment: None,
        effects: UNDO_PURCHASE,
        history: &[(OrderEventKind::Cancelled, Note::Caller)],
    },
    Transition {
        from: S::Paid,
        paying: REFUNDABLE,
        action: A::Refund,
        to: S::Refunded,
        payment: Some(P::Refunded),
        effects: UNDO_PURCHASE,
        history: &[(OrderEventKind::Refunded, Note::Caller)],
    },
    // The goods went out with the discounts: nothing comes back but the money.
    Transition {
        from: S::Fulfilled,
        paying: REFUNDABLE,
        action: A::Refund,
        to: S::Refunded,
        payment: Some(P::Refunded),
        effects: &[],
        history: &[(OrderEventKind::Refunded, Note::Caller)],
    },
    // Cancelling already gave the stock and discounts back.
    Transition {
        from: S::Cancelled,
        paying: REFUNDABLE,
        action: A::Refund,
        to: S::Cancelled,
        payment: Some(P::Refunded),
        effects: &[],
        history: &[(OrderEventKind::Refunded, Note::Caller)],
    },
    Transition {
        from: S::Paid,
        paying: REFUNDABLE,
        action: A::RefundPart,
        to: S::Paid,
        payment: Some(P::PartiallyRefunded),
        effects: &[],
        history: &[(OrderEventKind::PartiallyRefunded, Note::Caller)],
    },
    Transition {
        from: S::Fulfilled,
        paying: REFUNDABLE,
        action: A::RefundPart,
        to: S::Fulfilled,
        payment: Some(P::PartiallyRefunded),
        effects: &[],
        history: &[(OrderEventKind::PartiallyRefunded, Note::Caller)],
    },
    Transition {
        from: S::Cancelled,
        paying: REFUNDABLE,
        action: A::RefundPart,
        to: S::Cancelled,
        payment: Some(P::PartiallyRefunded),
        effects: &[],
        history: &[(OrderEventKind::PartiallyRefunded, Note::Caller)],
    },
];

/// The transition `action` makes from `from` with the payment at `paying`, if allowed.
pub fn find(
    from: OrderStatus,
    paying: OrderPaymentStatus,
    action: OrderAction,
) -> Option<&'static Transition> {
    TRANSITIONS
        .iter()
        .find(|t| t.from == from && t.action == action && t.paying.contains(&paying))
}

/// The payment's own status when the order's payment status becomes `status`.
pub fn payment_record_status(status: OrderPaymentStatus) -> PaymentStatus {
    match status {
        P::Pending => PaymentStatus::Pending,
        P::Authorized => PaymentStatus::Authorized,
        P::Paid => PaymentStatus::Paid,
        P::PartiallyRefunded => PaymentStatus::PartiallyRefunded,
        P::Refunded => PaymentStatus::Refunded,
        P::Voided => PaymentStatus::Voided,
        P::Failed => PaymentStatus::Declined,
    }
}

/// The name staff and clients see.
pub fn status_name(status: OrderStatus) -> &'static str {
    match status {
        S::Placed => "PLACED",
        S::Paid => "PAID",
        S::Fulfilled => "FULFILLED",
        S::Cancelled => "CANCELLED",
        S::Refunded => "REFUNDED",
    }
}

/// The name staff and clients see.
pub fn payment_status_name(status: OrderPaymentStatus) -> &'static str {
    match status {
        P::Pending => "PENDING",
        P::Authorized => "AUTHORIZED",
        P::Paid => "PAID",
        P::PartiallyRefunded => "PARTIALLY_REFUNDED",
        P::Refunded => "REFUNDED",
        P::Voided => "VOIDED",
        P::Failed => "FAILED",
    }
}

#[cfg(test)]
mod tests;
