//! The order process: every status an order can be in, every change allowed between them,
//! and what each change does — in one table, read by every path that changes an order
//! (staff mutations, checkout's payment outcome, provider webhooks, captures, voids and
//! refunds).
//!
//! An order has three dimensions: its summary `status`, its `paymentStatus` and its
//! `fulfillmentStatus` (SPEC §8). A row names the source status and the payment and
//! fulfilment statuses it applies to, the action, the targets, the side effects (each carried
//! out by the context that owns the data: inventory releases or ships stock, discounts take
//! their uses back, carts reopen) and the history entries written. A combination with no row
//! is refused.
//!
//! ```text
//!                  status                        paymentStatus                 fulfillmentStatus
//! checkout      →  PLACED                        PENDING                       UNFULFILLED
//! authorize        PLACED                        PENDING → AUTHORIZED
//! mark paid        PLACED → PAID                 PENDING | AUTHORIZED → PAID
//! capture          PLACED → PAID                 AUTHORIZED → PAID
//! void             PLACED → CANCELLED            AUTHORIZED → VOIDED           (stock, discounts back)
//! decline          PLACED → CANCELLED            PENDING | AUTHORIZED → FAILED (… and cart reopens)
//! cancel           PLACED | PAID → CANCELLED     unchanged                     UNFULFILLED only
//! ship part        PAID                                                        UNFULFILLED | PARTIALLY → PARTIALLY
//! fulfil (rest)    PAID → FULFILLED                                            UNFULFILLED | PARTIALLY → FULFILLED
//! deliver          FULFILLED                                                   FULFILLED → DELIVERED
//! unship           PAID | FULFILLED → PAID                                     → PARTIALLY or UNFULFILLED
//! refund part      PAID | FULFILLED | CANCELLED  PAID | PARTIALLY_REFUNDED → PARTIALLY_REFUNDED
//! refund the rest  PAID | FULFILLED → REFUNDED   PAID | PARTIALLY_REFUNDED → REFUNDED
//!                  CANCELLED stays               (an unshipped PAID order's stock comes back)
//! return part      FULFILLED | REFUNDED                                        DELIVERED | PARTIALLY → PARTIALLY
//! return all       FULFILLED | REFUNDED                                        DELIVERED | PARTIALLY | RETURNED → RETURNED
//! ```
//!
//! (PARTIALLY is PARTIALLY_FULFILLED in the shipping rows and PARTIALLY_RETURNED in the return
//! rows; a status without an arrow stays.)
//!
//! The return rows are run by `returnReceive` (`service/returns/receive.rs`): "all" when no
//! shipped unit is left with the customer. A return can be requested only where "return
//! part" has a row (the order was delivered and something is still out). RETURNED → RETURNED
//! exists for a return whose units a restocking refund already counted back.

use entities::enums::{
    OrderEventKind, OrderFulfillmentStatus, OrderPaymentStatus, OrderStatus, PaymentStatus,
};

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
    /// A shipment that leaves units unshipped (`fulfillmentCreate`).
    ShipPart,
    /// Every shipment arrived (`fulfillmentMarkDelivered` on the last one).
    Deliver,
    /// A shipment was cancelled and others remain.
    Unship,
    /// The last shipment was cancelled: nothing is out.
    UnshipAll,
    /// Returned units arrived and others are still with the customer (`returnReceive`).
    ReturnPart,
    /// Returned units arrived and no shipped unit is left with the customer.
    ReturnAll,
}

impl OrderAction {
    pub const ALL: [OrderAction; 15] = [
        Self::MarkPaid,
        Self::Decline,
        Self::Fulfil,
        Self::Cancel,
        Self::Refund,
        Self::Authorize,
        Self::Capture,
        Self::Void,
        Self::RefundPart,
        Self::ShipPart,
        Self::Deliver,
        Self::Unship,
        Self::UnshipAll,
        Self::ReturnPart,
        Self::ReturnAll,
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
            Self::ShipPart => "shipped",
            Self::Deliver => "delivered",
            Self::Unship | Self::UnshipAll => "unshipped",
            Self::ReturnPart | Self::ReturnAll => "returned",
        }
    }
}

/// A side effect of a transition, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// The order's allocated units become available again (`inventory::release`).
    ReleaseStock,
    /// Every unit still allocated leaves on one shipment: `onHand` and `allocated` drop
    /// (`fulfilment::ship_rest`, through `inventory::fulfil`).
    ShipRest,
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
    /// The fulfilment statuses this row starts from.
    pub fulfilling: &'static [OrderFulfillmentStatus],
    pub action: OrderAction,
    pub to: OrderStatus,
    /// The order's payment status afterwards, when the transition changes it.
    pub payment: Option<OrderPaymentStatus>,
    /// The order's fulfilment status afterwards, when the transition changes it.
    pub fulfillment: Option<OrderFulfillmentStatus>,
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

use Effect::{GiveBackDiscounts, RecordCapture, ReleaseStock, ReopenCart, ShipRest};
use OrderAction as A;
use OrderFulfillmentStatus as F;
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

/// Any fulfilment status.
const ANY_F: &[OrderFulfillmentStatus] = &[
    F::Unfulfilled,
    F::PartiallyFulfilled,
    F::Fulfilled,
    F::Delivered,
    F::PartiallyReturned,
    F::Returned,
];
/// Units may still ship.
const SHIPPABLE: &[OrderFulfillmentStatus] = &[F::Unfulfilled, F::PartiallyFulfilled];
/// Delivered, and some units still with the customer: they may come back.
const RETURNABLE: &[OrderFulfillmentStatus] = &[F::Delivered, F::PartiallyReturned];
/// Returned units may arrive (RETURNED too: a return whose units a restocking refund
/// already counted back still arrives).
const RECEIVABLE: &[OrderFulfillmentStatus] = &[F::Delivered, F::PartiallyReturned, F::Returned];

/// Every allowed transition. Anything else is refused with ILLEGAL_TRANSITION.
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        from: S::Placed,
        paying: &[P::Pending],
        fulfilling: ANY_F,
        action: A::Authorize,
        to: S::Placed,
        payment: Some(P::Authorized),
        fulfillment: None,
        effects: &[],
        history: &[(OrderEventKind::PaymentAuthorized, Note::Caller)],
    },
    // Authorized too: a capture made at the provider's dashboard arrives as "paid".
    Transition {
        from: S::Placed,
        paying: &[P::Pending, P::Authorized],
        fulfilling: ANY_F,
        action: A::MarkPaid,
        to: S::Paid,
        payment: Some(P::Paid),
        fulfillment: None,
        effects: &[RecordCapture],
        history: &[(OrderEventKind::Paid, Note::Caller)],
    },
    Transition {
        from: S::Placed,
        paying: &[P::Authorized],
        fulfilling: ANY_F,
        action: A::Capture,
        to: S::Paid,
        payment: Some(P::Paid),
        fulfillment: None,
        effects: &[RecordCapture],
        history: &[
            (OrderEventKind::PaymentCaptured, Note::Caller),
            (OrderEventKind::Paid, Note::Fixed("payment captured")),
        ],
    },
    Transition {
        from: S::Placed,
        paying: &[P::Authorized],
        fulfilling: ANY_F,
        action: A::Void,
        to: S::Cancelled,
        payment: Some(P::Voided),
        fulfillment: None,
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
        fulfilling: ANY_F,
        action: A::Decline,
        to: S::Cancelled,
        payment: Some(P::Failed),
        fulfillment: None,
        effects: &[ReleaseStock, GiveBackDiscounts, ReopenCart],
        history: &[
            (OrderEventKind::PaymentDeclined, Note::Caller),
            (OrderEventKind::Cancelled, Note::Fixed("payment declined")),
        ],
    },
    // The last units leave (`orderFulfill` ships all that is left; a shipment of the last
    // units has already moved them, and ShipRest finds nothing more).
    Transition {
        from: S::Paid,
        paying: ANY,
        fulfilling: SHIPPABLE,
        action: A::Fulfil,
        to: S::Fulfilled,
        payment: None,
        fulfillment: Some(F::Fulfilled),
        effects: &[ShipRest],
        history: &[(OrderEventKind::Fulfilled, Note::Caller)],
    },
    Transition {
        from: S::Paid,
        paying: ANY,
        fulfilling: SHIPPABLE,
        action: A::ShipPart,
        to: S::Paid,
        payment: None,
        fulfillment: Some(F::PartiallyFulfilled),
        effects: &[],
        history: &[(OrderEventKind::PartiallyFulfilled, Note::Caller)],
    },
    Transition {
        from: S::Fulfilled,
        paying: ANY,
        fulfilling: &[F::Fulfilled],
        action: A::Deliver,
        to: S::Fulfilled,
        payment: None,
        fulfillment: Some(F::Delivered),
        effects: &[],
        history: &[(OrderEventKind::Delivered, Note::Caller)],
    },
    Transition {
        from: S::Paid,
        paying: ANY,
        fulfilling: &[F::PartiallyFulfilled],
        action: A::Unship,
        to: S::Paid,
        payment: None,
        fulfillment: Some(F::PartiallyFulfilled),
        effects: &[],
        history: &[(OrderEventKind::FulfillmentCancelled, Note::Caller)],
    },
    Transition {
        from: S::Fulfilled,
        paying: ANY,
        fulfilling: &[F::Fulfilled],
        action: A::Unship,
        to: S::Paid,
        payment: None,
        fulfillment: Some(F::PartiallyFulfilled),
        effects: &[],
        history: &[(OrderEventKind::FulfillmentCancelled, Note::Caller)],
    },
    Transition {
        from: S::Paid,
        paying: ANY,
        fulfilling: &[F::PartiallyFulfilled],
        action: A::UnshipAll,
        to: S::Paid,
        payment: None,
        fulfillment: Some(F::Unfulfilled),
        effects: &[],
        history: &[(OrderEventKind::FulfillmentCancelled, Note::Caller)],
    },
    Transition {
        from: S::Fulfilled,
        paying: ANY,
        fulfilling: &[F::Fulfilled],
        action: A::UnshipAll,
        to: S::Paid,
        payment: None,
        fulfillment: Some(F::Unfulfilled),
        effects: &[],
        history: &[(OrderEventKind::FulfillmentCancelled, Note::Caller)],
    },
    // An authorization is voided rather than cancelled, so the provider lets the money go.
    Transition {
        from: S::Placed,
        paying: &[P::Pending, P::Failed],
        fulfilling: ANY_F,
        action: A::Cancel,
        to: S::Cancelled,
        payment: None,
        fulfillment: None,
        effects: UNDO_PURCHASE,
        history: &[(OrderEventKind::Cancelled, Note::Caller)],
    },
    // The money stays captured: staff refund it (the order can be refunded while cancelled).
    // Nothing may have shipped: cancel the shipments first.
    Transition {
        from: S::Paid,
        paying: ANY,
        fulfilling: &[F::Unfulfilled],
        action: A::Cancel,
        to: S::Cancelled,
        payment: None,
        fulfillment: None,
        effects: UNDO_PURCHASE,
        history: &[(OrderEventKind::Cancelled, Note::Caller)],
    },
    Transition {
        from: S::Paid,
        paying: REFUNDABLE,
        fulfilling: ANY_F,
        action: A::Refund,
        to: S::Refunded,
        payment: Some(P::Refunded),
        fulfillment: None,
        effects: UNDO_PURCHASE,
        history: &[(OrderEventKind::Refunded, Note::Caller)],
    },
    // The goods went out with the discounts: nothing comes back but the money.
    Transition {
        from: S::Fulfilled,
        paying: REFUNDABLE,
        fulfilling: ANY_F,
        action: A::Refund,
        to: S::Refunded,
        payment: Some(P::Refunded),
        fulfillment: None,
        effects: &[],
        history: &[(OrderEventKind::Refunded, Note::Caller)],
    },
    // Cancelling already gave the stock and discounts back.
    Transition {
        from: S::Cancelled,
        paying: REFUNDABLE,
        fulfilling: ANY_F,
        action: A::Refund,
        to: S::Cancelled,
        payment: Some(P::Refunded),
        fulfillment: None,
        effects: &[],
        history: &[(OrderEventKind::Refunded, Note::Caller)],
    },
    Transition {
        from: S::Paid,
        paying: REFUNDABLE,
        fulfilling: ANY_F,
        action: A::RefundPart,
        to: S::Paid,
        payment: Some(P::PartiallyRefunded),
        fulfillment: None,
        effects: &[],
        history: &[(OrderEventKind::PartiallyRefunded, Note::Caller)],
    },
    Transition {
        from: S::Fulfilled,
        paying: REFUNDABLE,
        fulfilling: ANY_F,
        action: A::RefundPart,
        to: S::Fulfilled,
        payment: Some(P::PartiallyRefunded),
        fulfillment: None,
        effects: &[],
        history: &[(OrderEventKind::PartiallyRefunded, Note::Caller)],
    },
    Transition {
        from: S::Cancelled,
        paying: REFUNDABLE,
        fulfilling: ANY_F,
        action: A::RefundPart,
        to: S::Cancelled,
        payment: Some(P::PartiallyRefunded),
        fulfillment: None,
        effects: &[],
        history: &[(OrderEventKind::PartiallyRefunded, Note::Caller)],
    },
    // Returns arrive after delivery, whether or not the money went back already; the units
    // came back through the return itself (`returns::receive`), and the summary status stays.
    Transition {
        from: S::Fulfilled,
        paying: ANY,
        fulfilling: RETURNABLE,
        action: A::ReturnPart,
        to: S::Fulfilled,
        payment: None,
        fulfillment: Some(F::PartiallyReturned),
        effects: &[],
        history: &[(OrderEventKind::ReturnReceived, Note::Caller)],
    },
    Transition {
        from: S::Fulfilled,
        paying: ANY,
        fulfilling: RECEIVABLE,
        action: A::ReturnAll,
        to: S::Fulfilled,
        payment: None,
        fulfillment: Some(F::Returned),
        effects: &[],
        history: &[(OrderEventKind::ReturnReceived, Note::Caller)],
    },
    Transition {
        from: S::Refunded,
        paying: ANY,
        fulfilling: RETURNABLE,
        action: A::ReturnPart,
        to: S::Refunded,
        payment: None,
        fulfillment: Some(F::PartiallyReturned),
        effects: &[],
        history: &[(OrderEventKind::ReturnReceived, Note::Caller)],
    },
    Transition {
        from: S::Refunded,
        paying: ANY,
        fulfilling: RECEIVABLE,
        action: A::ReturnAll,
        to: S::Refunded,
        payment: None,
        fulfillment: Some(F::Returned),
        effects: &[],
        history: &[(OrderEventKind::ReturnReceived, Note::Caller)],
    },
];

/// An order's place in the process: its status and both dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    pub status: OrderStatus,
    pub payment: OrderPaymentStatus,
    pub fulfillment: OrderFulfillmentStatus,
}

impl State {
    pub fn of(order: &entities::order::Model) -> Self {
        Self {
            status: order.status,
            payment: order.payment_status,
            fulfillment: order.fulfillment_status,
        }
    }
}

/// The transition `action` makes from `state`, if it is allowed.
pub fn find(state: State, action: OrderAction) -> Option<&'static Transition> {
    TRANSITIONS.iter().find(|t| {
        t.from == state.status
            && t.action == action
            && t.paying.contains(&state.payment)
            && t.fulfilling.contains(&state.fulfillment)
    })
}

/// Where `transition` takes an order in `state`.
pub fn target(state: State, transition: &Transition) -> State {
    State {
        status: transition.to,
        payment: transition.payment.unwrap_or(state.payment),
        fulfillment: transition.fulfillment.unwrap_or(state.fulfillment),
    }
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
pub fn fulfillment_status_name(status: OrderFulfillmentStatus) -> &'static str {
    match status {
        F::Unfulfilled => "UNFULFILLED",
        F::PartiallyFulfilled => "PARTIALLY_FULFILLED",
        F::Fulfilled => "FULFILLED",
        F::Delivered => "DELIVERED",
        F::PartiallyReturned => "PARTIALLY_RETURNED",
        F::Returned => "RETURNED",
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
