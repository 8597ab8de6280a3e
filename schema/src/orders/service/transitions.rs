//! The order process: every status an order can be in, every change allowed between them,
//! and what each change does — in one table, read by every path that changes an order
//! (staff mutations, checkout's payment outcome, provider webhooks).
//!
//! ```text
//! PLACED ──pay──► PAID ──fulfil──► FULFILLED
//!   │  │            │  │                │
//!   │  └─decline─►  │  └──refund──┐     └──refund──► REFUNDED (goods already out: nothing returns)
//!   └──cancel──► CANCELLED ◄─cancel─┘   └──────────► REFUNDED (unshipped: stock and discounts return)
//! ```
//!
//! A row names its source status, the action, the target status, what happens to the payment,
//! the side effects (each carried out by the context that owns the data: inventory releases or
//! ships stock, discounts take their uses back, carts reopen) and the history entries written.
//! A pair with no row is refused. When payment and fulfilment get dimensions of their own
//! (SPEC §8: `paymentStatus`, `fulfillmentStatus`), rows gain their source and target columns;
//! the runner (`lifecycle::run`) stays the same.

use entities::enums::{OrderEventKind, OrderStatus, PaymentStatus};

/// What can be done to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderAction {
    /// Payment arrived: staff marked it (`orderMarkPaid`) or the provider confirmed it.
    MarkPaid,
    /// The provider declined the payment.
    Decline,
    Fulfil,
    Cancel,
    Refund,
}

impl OrderAction {
    pub const ALL: [OrderAction; 5] = [
        Self::MarkPaid,
        Self::Decline,
        Self::Fulfil,
        Self::Cancel,
        Self::Refund,
    ];

    /// How a refusal names it: "a FULFILLED order cannot be cancelled".
    pub fn verb(self) -> &'static str {
        match self {
            Self::MarkPaid => "marked paid",
            Self::Decline => "declined",
            Self::Fulfil => "fulfilled",
            Self::Cancel => "cancelled",
            Self::Refund => "refunded",
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
}

/// One allowed change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    pub from: OrderStatus,
    pub action: OrderAction,
    pub to: OrderStatus,
    /// The payment's new status, when the transition changes it.
    pub payment: Option<PaymentStatus>,
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

use Effect::{GiveBackDiscounts, ReleaseStock, ReopenCart, ShipStock};
use OrderAction as A;
use OrderStatus as S;

/// Undoing a purchase: the stock goes back and so do the discounts' uses.
const UNDO_PURCHASE: &[Effect] = &[ReleaseStock, GiveBackDiscounts];

/// Every allowed transition. Anything else is refused with ILLEGAL_TRANSITION.
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        from: S::Placed,
        action: A::MarkPaid,
        to: S::Paid,
        payment: Some(PaymentStatus::Paid),
        effects: &[],
        history: &[(OrderEventKind::Paid, Note::Caller)],
    },
    // Only an unpaid order: a late or reordered failure notice cannot cancel a paid one.
    Transition {
        from: S::Placed,
        action: A::Decline,
        to: S::Cancelled,
        payment: Some(PaymentStatus::Declined),
        effects: &[ReleaseStock, GiveBackDiscounts, ReopenCart],
        history: &[
            (OrderEventKind::PaymentDeclined, Note::Caller),
            (OrderEventKind::Cancelled, Note::Fixed("payment declined")),
        ],
    },
    Transition {
        from: S::Paid,
        action: A::Fulfil,
        to: S::Fulfilled,
        payment: None,
        effects: &[ShipStock],
        history: &[(OrderEventKind::Fulfilled, Note::Caller)],
    },
    Transition {
        from: S::Placed,
        action: A::Cancel,
        to: S::Cancelled,
        payment: None,
        effects: UNDO_PURCHASE,
        history: &[(OrderEventKind::Cancelled, Note::Caller)],
    },
    Transition {
        from: S::Paid,
        action: A::Cancel,
        to: S::Cancelled,
        payment: None,
        effects: UNDO_PURCHASE,
        history: &[(OrderEventKind::Cancelled, Note::Caller)],
    },
    Transition {
        from: S::Paid,
        action: A::Refund,
        to: S::Refunded,
        payment: Some(PaymentStatus::Refunded),
        effects: UNDO_PURCHASE,
        history: &[(OrderEventKind::Refunded, Note::Caller)],
    },
    // The goods went out with the discounts: nothing comes back but the money.
    Transition {
        from: S::Fulfilled,
        action: A::Refund,
        to: S::Refunded,
        payment: Some(PaymentStatus::Refunded),
        effects: &[],
        history: &[(OrderEventKind::Refunded, Note::Caller)],
    },
];

/// The transition `action` makes from `from`, if it is allowed.
pub fn find(from: OrderStatus, action: OrderAction) -> Option<&'static Transition> {
    TRANSITIONS
        .iter()
        .find(|t| t.from == from && t.action == action)
}

/// The statuses `action` may start from.
pub fn sources(action: OrderAction) -> Vec<OrderStatus> {
    TRANSITIONS
        .iter()
        .filter(|t| t.action == action)
        .map(|t| t.from)
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    const STATUSES: [OrderStatus; 5] =
        [S::Placed, S::Paid, S::Fulfilled, S::Cancelled, S::Refunded];

    #[test]
    fn each_source_and_action_has_at_most_one_row() {
        for (i, a) in TRANSITIONS.iter().enumerate() {
            for b in &TRANSITIONS[i + 1..] {
                assert!(
                    !(a.from == b.from && a.action == b.action),
                    "two rows for {:?} from {:?}",
                    a.action,
                    a.from
                );
            }
        }
    }

    /// The process as product rules state it (SPEC §5, §8), cell by cell: which target each
    /// (status, action) pair reaches, or `None` for refused. Changing the table without
    /// changing this grid fails here.
    #[test]
    fn the_table_allows_exactly_the_documented_transitions() {
        let grid: [(OrderStatus, [Option<OrderStatus>; 5]); 5] = [
            //            MarkPaid        Decline             Fulfil              Cancel              Refund
            (
                S::Placed,
                [
                    Some(S::Paid),
                    Some(S::Cancelled),
                    None,
                    Some(S::Cancelled),
                    None,
                ],
            ),
            (
                S::Paid,
                [
                    None,
                    None,
                    Some(S::Fulfilled),
                    Some(S::Cancelled),
                    Some(S::Refunded),
                ],
            ),
            (S::Fulfilled, [None, None, None, None, Some(S::Refunded)]),
            (S::Cancelled, [None, None, None, None, None]),
            (S::Refunded, [None, None, None, None, None]),
        ];
        for (from, targets) in grid {
            for (action, expected) in OrderAction::ALL.into_iter().zip(targets) {
                assert_eq!(
                    find(from, action).map(|t| t.to),
                    expected,
                    "{} --{action:?}-->",
                    status_name(from)
                );
            }
        }
        assert_eq!(STATUSES.len(), grid.len());
    }

    #[test]
    fn undoing_an_unshipped_purchase_returns_stock_and_discounts() {
        for (from, action) in [
            (S::Placed, A::Cancel),
            (S::Paid, A::Cancel),
            (S::Paid, A::Refund),
            (S::Placed, A::Decline),
        ] {
            let effects = find(from, action).map(|t| t.effects).unwrap_or_default();
            assert!(effects.contains(&ReleaseStock), "{from:?} {action:?}");
            assert!(effects.contains(&GiveBackDiscounts), "{from:?} {action:?}");
        }
        let after_shipping = find(S::Fulfilled, A::Refund).map(|t| t.effects);
        assert_eq!(after_shipping, Some(&[][..]));
    }
}
