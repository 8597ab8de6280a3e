use super::*;

/// Every (status, payment status) pair an order can reach.
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

#[test]
fn each_state_and_action_has_at_most_one_row() {
    for (i, a) in TRANSITIONS.iter().enumerate() {
        for b in &TRANSITIONS[i + 1..] {
            let overlap = a.paying.iter().any(|p| b.paying.contains(p));
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
    for (state, targets) in STATES.into_iter().zip(grid) {
        for (action, expected) in OrderAction::ALL.into_iter().zip(targets) {
            let reached = find(state.0, state.1, action)
                .map(|t| name((t.to, t.payment.unwrap_or(state.1))))
                .unwrap_or_else(|| "-".to_owned());
            assert_eq!(reached, expected, "{} --{action:?}-->", name(state));
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
        let effects = find(from, paying, action)
            .map(|t| t.effects)
            .unwrap_or_default();
        assert!(effects.contains(&ReleaseStock), "{from:?} {action:?}");
        assert!(effects.contains(&GiveBackDiscounts), "{from:?} {action:?}");
    }
    for from in [S::Fulfilled, S::Cancelled] {
        let after = find(from, P::Paid, A::Refund).map(|t| t.effects);
        assert_eq!(after, Some(&[][..]), "{from:?}");
    }
}

#[test]
fn money_taken_is_recorded_as_captured() {
    for (paying, action) in [(P::Pending, A::MarkPaid), (P::Authorized, A::Capture)] {
        let effects = find(S::Placed, paying, action).map(|t| t.effects);
        assert_eq!(effects, Some(&[RecordCapture][..]), "{action:?}");
    }
}
