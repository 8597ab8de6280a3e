use super::*;

/// Every (status, payment status) pair an order can reach before anything ships (a
/// FULFILLED order shipped everything).
const STATES: [(OrderStatus, OrderPaymentStatus); 13] = [
    (S::Placed, P::Pending),
    (S::Placed, P::Authorized),
    (S::Paid, P::Paid),
    (S::Paid, P::PartiallyRefunded),
    (S::Fulfilled, P::Paid),
    (S::Fulfilled, P::PartiallyRefunded),
    (S::Cancelled, P::Pending),
    (S::Cancelled, P::Failed),
    (S::Cancelled, P::Voided),
    (S::Cancelled, P::Paid),
    (S::Cancelled, P::PartiallyRefunded),
    (S::Cancelled, P::Refunded),
    (S::Refunded, P::Refunded),
];

fn name((status, payment): (OrderStatus, OrderPaymentStatus)) -> String {
    format!("{}/{}", status_name(status), payment_status_name(payment))
}

/// The state of an order at `status`/`payment` whose shipping matches its status.
fn state((status, payment): (OrderStatus, OrderPaymentStatus)) -> State {
    let fulfillment = match status {
        S::Fulfilled => F::Fulfilled,
        _ => F::Unfulfilled,
    };
    State {
        status,
        payment,
        fulfillment,
    }
}

#[test]
fn each_state_and_action_has_at_most_one_row() {
    for (i, a) in TRANSITIONS.iter().enumerate() {
        for b in &TRANSITIONS[i + 1..] {
            let overlap = a.paying.iter().any(|p| b.paying.contains(p))
                && a.fulfilling.iter().any(|f| b.fulfilling.contains(f));
            assert!(
                !(a.from == b.from && a.action == b.action && overlap),
                "two rows for {:?} from {:?}",
                a.action,
                a.from
            );
        }
    }
}

/// The process as product rules state it (SPEC §5, §8), cell by cell: the state each
/// (state, action) pair reaches, or "-" for refused. Changing the table without changing
/// this grid fails here.
#[test]
fn the_table_allows_exactly_the_documented_transitions() {
    // Columns: MarkPaid, Decline, Fulfil, Cancel, Refund, Authorize, Capture, Void, RefundPart.
    let grid: [[&str; 9]; 13] = [
        // PLACED/PENDING
        [
            "PAID/PAID",
            "CANCELLED/FAILED",
            "-",
            "CANCELLED/PENDING",
            "-",
            "PLACED/AUTHORIZED",
            "-",
            "-",
            "-",
        ],
        // PLACED/AUTHORIZED
        [
            "PAID/PAID",
            "CANCELLED/FAILED",
            "-",
            "-",
            "-",
            "-",
            "PAID/PAID",
            "CANCELLED/VOIDED",
            "-",
        ],
        // PAID/PAID
        [
            "-",
            "-",
            "FULFILLED/PAID",
            "CANCELLED/PAID",
            "REFUNDED/REFUNDED",
            "-",
            "-",
            "-",
            "PAID/PARTIALLY_REFUNDED",
        ],
        // PAID/PARTIALLY_REFUNDED
        [
            "-",
            "-",
            "FULFILLED/PARTIALLY_REFUNDED",
            "CANCELLED/PARTIALLY_REFUNDED",
            "REFUNDED/REFUNDED",
            "-",
            "-",
            "-",
            "PAID/PARTIALLY_REFUNDED",
        ],
        // FULFILLED/PAID
        [
            "-",
            "-",
            "-",
            "-",
            "REFUNDED/REFUNDED",
            "-",
            "-",
            "-",
            "FULFILLED/PARTIALLY_REFUNDED",
        ],
        // FULFILLED/PARTIALLY_REFUNDED
        [
            "-",
            "-",
            "-",
            "-",
            "REFUNDED/REFUNDED",
            "-",
            "-",
            "-",
            "FULFILLED/PARTIALLY_REFUNDED",
        ],
        // CANCELLED/PENDING, CANCELLED/FAILED, CANCELLED/VOIDED: nothing moves
        ["-"; 9],
        ["-"; 9],
        ["-"; 9],
        // CANCELLED/PAID: money kept after cancelling can be refunded
        [
            "-",
            "-",
            "-",
            "-",
            "CANCELLED/REFUNDED",
            "-",
            "-",
            "-",
            "CANCELLED/PARTIALLY_REFUNDED",
        ],
        // CANCELLED/PARTIALLY_REFUNDED
        [
            "-",
            "-",
            "-",
            "-",
            "CANCELLED/REFUNDED",
            "-",
            "-",
            "-",
            "CANCELLED/PARTIALLY_REFUNDED",
        ],
        // CANCELLED/REFUNDED, REFUNDED/REFUNDED
        ["-"; 9],
        ["-"; 9],
    ];
    for (pair, targets) in STATES.into_iter().zip(grid) {
        for (action, expected) in OrderAction::ALL.into_iter().zip(targets) {
            let reached = find(state(pair), action)
                .map(|t| name((t.to, t.payment.unwrap_or(pair.1))))
                .unwrap_or_else(|| "-".to_owned());
            assert_eq!(reached, expected, "{} --{action:?}-->", name(pair));
        }
    }
}

/// Every row starts from and leads to a state in `STATES`: the grid covers the process.
#[test]
fn every_row_stays_within_the_reachable_states() {
    for t in TRANSITIONS {
        for paying in t.paying {
            let to = (t.to, t.payment.unwrap_or(*paying));
            let from_listed = STATES.contains(&(t.from, *paying));
            // A row may accept a payment status its source never has (Fulfil from any).
            if from_listed {
                assert!(
                    STATES.contains(&to),
                    "{} --{:?}--> {}",
                    name((t.from, *paying)),
                    t.action,
                    name(to)
                );
            }
        }
    }
}

#[test]
fn undoing_an_unshipped_purchase_returns_stock_and_discounts() {
    for (from, paying, action) in [
        (S::Placed, P::Pending, A::Cancel),
        (S::Paid, P::Paid, A::Cancel),
        (S::Paid, P::Paid, A::Refund),
        (S::Placed, P::Pending, A::Decline),
        (S::Placed, P::Authorized, A::Void),
    ] {
        let effects = find(state((from, paying)), action)
            .map(|t| t.effects)
            .unwrap_or_default();
        assert!(effects.contains(&ReleaseStock), "{from:?} {action:?}");
        assert!(effects.contains(&GiveBackDiscounts), "{from:?} {action:?}");
    }
    for from in [S::Fulfilled, S::Cancelled] {
        let after = find(state((from, P::Paid)), A::Refund).map(|t| t.effects);
        assert_eq!(after, Some(&[][..]), "{from:?}");
    }
}

#[test]
fn money_taken_is_recorded_as_captured() {
    for (paying, action) in [(P::Pending, A::MarkPaid), (P::Authorized, A::Capture)] {
        let effects = find(state((S::Placed, paying)), action).map(|t| t.effects);
        assert_eq!(effects, Some(&[RecordCapture][..]), "{action:?}");
    }
}

/// A state, an action, and where it leads (status and fulfilment), if allowed.
type Case = (
    State,
    OrderAction,
    Option<(OrderStatus, OrderFulfillmentStatus)>,
);

/// Shipping, cell by cell: what the fulfilment actions (and cancelling, which they constrain)
/// do from each shipping state of a paid order.
#[test]
fn shipping_moves_the_fulfilment_dimension() {
    let at = |status, fulfillment| State {
        status,
        payment: P::Paid,
        fulfillment,
    };
    let cases: [Case; 16] = [
        (
            at(S::Paid, F::Unfulfilled),
            A::ShipPart,
            Some((S::Paid, F::PartiallyFulfilled)),
        ),
        (
            at(S::Paid, F::Unfulfilled),
            A::Fulfil,
            Some((S::Fulfilled, F::Fulfilled)),
        ),
        (
            at(S::Paid, F::PartiallyFulfilled),
            A::ShipPart,
            Some((S::Paid, F::PartiallyFulfilled)),
        ),
        (
            at(S::Paid, F::PartiallyFulfilled),
            A::Fulfil,
            Some((S::Fulfilled, F::Fulfilled)),
        ),
        (at(S::Paid, F::PartiallyFulfilled), A::Cancel, None),
        (
            at(S::Paid, F::Unfulfilled),
            A::Cancel,
            Some((S::Cancelled, F::Unfulfilled)),
        ),
        (
            at(S::Paid, F::PartiallyFulfilled),
            A::Unship,
            Some((S::Paid, F::PartiallyFulfilled)),
        ),
        (
            at(S::Paid, F::PartiallyFulfilled),
            A::UnshipAll,
            Some((S::Paid, F::Unfulfilled)),
        ),
        (at(S::Paid, F::Unfulfilled), A::Unship, None),
        (
            at(S::Fulfilled, F::Fulfilled),
            A::Deliver,
            Some((S::Fulfilled, F::Delivered)),
        ),
        (
            at(S::Fulfilled, F::Fulfilled),
            A::Unship,
            Some((S::Paid, F::PartiallyFulfilled)),
        ),
        (
            at(S::Fulfilled, F::Fulfilled),
            A::UnshipAll,
            Some((S::Paid, F::Unfulfilled)),
        ),
        (at(S::Fulfilled, F::Delivered), A::UnshipAll, None),
        (at(S::Fulfilled, F::Delivered), A::Deliver, None),
        (at(S::Paid, F::PartiallyFulfilled), A::Deliver, None),
        (
            at(S::Fulfilled, F::Delivered),
            A::Refund,
            Some((S::Refunded, F::Delivered)),
        ),
    ];
    for (from, action, expected) in cases {
        let reached = find(from, action).map(|t| {
            let to = target(from, t);
            (to.status, to.fulfillment)
        });
        assert_eq!(reached, expected, "{from:?} --{action:?}-->");
    }
}

#[test]
fn only_shipping_everything_that_is_left_ships_stock_as_an_effect() {
    let shipping: Vec<OrderAction> = TRANSITIONS
        .iter()
        .filter(|t| t.effects.contains(&ShipRest))
        .map(|t| t.action)
        .collect();
    assert_eq!(shipping, [A::Fulfil]);
}

/// Returns, cell by cell: from each shipping state of a paid (or refunded) order, where
/// receiving part or all of what is out leads. Only delivered orders take returns back; the
/// summary status stays.
#[test]
fn returns_move_the_fulfilment_dimension() {
    let at = |status, payment, fulfillment| State {
        status,
        payment,
        fulfillment,
    };
    let mut cases: Vec<Case> = Vec::new();
    for (status, payment) in [
        (S::Fulfilled, P::Paid),
        (S::Fulfilled, P::PartiallyRefunded),
        (S::Refunded, P::Refunded),
    ] {
        cases.extend([
            (
                at(status, payment, F::Delivered),
                A::ReturnPart,
                Some((status, F::PartiallyReturned)),
            ),
            (
                at(status, payment, F::Delivered),
                A::ReturnAll,
                Some((status, F::Returned)),
            ),
            (
                at(status, payment, F::PartiallyReturned),
                A::ReturnPart,
                Some((status, F::PartiallyReturned)),
            ),
            (
                at(status, payment, F::PartiallyReturned),
                A::ReturnAll,
                Some((status, F::Returned)),
            ),
            // Nothing is out any more: no further return can be asked for...
            (at(status, payment, F::Returned), A::ReturnPart, None),
            // ...but one whose units a restocking refund counted back still arrives.
            (
                at(status, payment, F::Returned),
                A::ReturnAll,
                Some((status, F::Returned)),
            ),
            // Not delivered yet: returns wait.
            (at(status, payment, F::Fulfilled), A::ReturnPart, None),
            (at(status, payment, F::Fulfilled), A::ReturnAll, None),
        ]);
    }
    for fulfillment in [F::Unfulfilled, F::PartiallyFulfilled] {
        for action in [A::ReturnPart, A::ReturnAll] {
            cases.push((at(S::Paid, P::Paid, fulfillment), action, None));
        }
    }
    for status in [S::Placed, S::Cancelled] {
        cases.push((at(status, P::Paid, F::Delivered), A::ReturnPart, None));
    }
    for (from, action, expected) in cases {
        let reached = find(from, action).map(|t| {
            let to = target(from, t);
            assert_eq!(to.payment, from.payment, "returns move no money");
            (to.status, to.fulfillment)
        });
        assert_eq!(reached, expected, "{from:?} --{action:?}-->");
    }
}

#[test]
fn a_received_return_writes_one_history_entry_and_moves_nothing_else() {
    for t in TRANSITIONS
        .iter()
        .filter(|t| matches!(t.action, A::ReturnPart | A::ReturnAll))
    {
        assert_eq!(t.effects, &[][..], "{:?}", t.action);
        assert_eq!(
            t.history,
            &[(OrderEventKind::ReturnReceived, Note::Caller)][..],
            "{:?}",
            t.action
        );
        assert_eq!(t.from, t.to, "the summary status stays");
    }
}
