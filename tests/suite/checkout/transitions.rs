//! The order process, cell by cell: every (status, action) pair is tried on a real order
//! through the way it reaches the server (staff mutations; the provider's webhook for a
//! decline). An allowed one lands on its target with its stock effect and a history entry;
//! a refused one is answered ILLEGAL_TRANSITION (staff) or "already processed" (provider) and
//! changes nothing: status, history, stock.

use super::webhooks::{SECRET, order_status, post, signature};
use super::*;
use e2e::OrderAction::{self, Cancel, Fulfill, MarkPaid, Refund};

/// What a transition does to the order's one allocated unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stock {
    Kept,
    Released,
    Shipped,
}

/// What is tried: a staff action, or the provider declining the payment (its webhook).
#[derive(Clone, Copy, Debug)]
enum Action {
    Staff(OrderAction),
    Decline,
}

/// An action and, when allowed, where it leads and what happens to the stock.
type Cell = (Action, Option<(&'static str, Stock)>);

use Action::{Decline, Staff};

/// The documented process (SPEC §5 and §8): one row per status.
const PROCESS: [(&str, [Cell; 5]); 5] = [
    (
        "PLACED",
        [
            (Staff(MarkPaid), Some(("PAID", Stock::Kept))),
            (Decline, Some(("CANCELLED", Stock::Released))),
            (Staff(Fulfill), None),
            (Staff(Cancel), Some(("CANCELLED", Stock::Released))),
            (Staff(Refund), None),
        ],
    ),
    (
        "PAID",
        [
            (Staff(MarkPaid), None),
            (Decline, None),
            (Staff(Fulfill), Some(("FULFILLED", Stock::Shipped))),
            (Staff(Cancel), Some(("CANCELLED", Stock::Released))),
            (Staff(Refund), Some(("REFUNDED", Stock::Released))),
        ],
    ),
    (
        "FULFILLED",
        [
            (Staff(MarkPaid), None),
            (Decline, None),
            (Staff(Fulfill), None),
            (Staff(Cancel), None),
            (Staff(Refund), Some(("REFUNDED", Stock::Kept))),
        ],
    ),
    (
        "CANCELLED",
        [
            (Staff(MarkPaid), None),
            (Decline, None),
            (Staff(Fulfill), None),
            (Staff(Cancel), None),
            (Staff(Refund), None),
        ],
    ),
    (
        "REFUNDED",
        [
            (Staff(MarkPaid), None),
            (Decline, None),
            (Staff(Fulfill), None),
            (Staff(Cancel), None),
            (Staff(Refund), None),
        ],
    ),
];

/// Staff actions that bring a new (PLACED) order to `status`.
fn path_to(status: &str) -> &'static [OrderAction] {
    match status {
        "PAID" => &[MarkPaid],
        "FULFILLED" => &[MarkPaid, Fulfill],
        "CANCELLED" => &[Cancel],
        "REFUNDED" => &[MarkPaid, Refund],
        _ => &[],
    }
}

async fn every_transition_is_applied_or_refused_as_the_table_says(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |config| {
        config.commerce.payment_webhook_secret = Some(SECRET.to_owned());
    })
    .await?;
    // One unit per case, and many cases keep theirs allocated.
    shop.set_stock(0, 100).await?;
    // Pending with the `test` provider, so its webhook may speak for every order.
    let pending = json!({ "provider": "test", "token": "tok_pending" });
    let now = chrono::Utc::now().timestamp();
    for (case, (from, cells)) in PROCESS.iter().enumerate() {
        for (step, (action, expected)) in cells.iter().enumerate() {
            let label = format!("{from} --{action:?}-->");
            let cart = shop.ready_cart(&[(0, 1)]).await?;
            let order = placed(
                &shop
                    .checkout(&shop.guest, cart, "k", pending.clone())
                    .await?,
            )["id"]
                .clone();
            for walk in path_to(from) {
                let moved = shop.admin.order_action(*walk, OrderId::of(&order)).await?;
                assert_eq!(moved["userErrors"], json!([]), "{label}: {walk:?}: {moved}");
            }
            let (status, history) = order_status(&shop, &order).await?;
            assert_eq!(status, *from, "{label}: setting up");
            let stock = shop.stock_of(0).await?;

            let staff_answer = if let Staff(action) = action {
                Some(
                    shop.admin
                        .order_action(*action, OrderId::of(&order))
                        .await?,
                )
            } else {
                let body = json!({
                    "id": format!("evt_{case}_{step}"),
                    "type": "payment.failed",
                    "orderId": order,
                    "reason": "card expired",
                })
                .to_string();
                let (code, answer) =
                    post(&shop, "test", &body, &signature(SECRET, &body, now)).await?;
                assert_eq!(code, 200, "{label}: {answer}");
                let message = answer["message"].as_str().unwrap_or_default().to_owned();
                let applied = message == "applied";
                assert_eq!(applied, expected.is_some(), "{label}: {message}");
                None
            };

            let (now_status, now_history) = order_status(&shop, &order).await?;
            let (on_hand, allocated) = shop.stock_of(0).await?;
            match expected {
                Some((target, effect)) => {
                    assert_eq!(now_status, *target, "{label}");
                    if let Some(answer) = &staff_answer {
                        assert_eq!(answer["order"]["status"], *target, "{label}: {answer}");
                    }
                    // A decline writes two entries (the decline, then the cancellation).
                    let entries = if matches!(action, Decline) { 2 } else { 1 };
                    assert_eq!(now_history, history + entries, "{label}: history");
                    let expected_stock = match effect {
                        Stock::Kept => stock,
                        Stock::Released => (stock.0, stock.1 - 1),
                        Stock::Shipped => (stock.0 - 1, stock.1 - 1),
                    };
                    assert_eq!((on_hand, allocated), expected_stock, "{label}: stock");
                }
                None => {
                    if let Some(answer) = &staff_answer {
                        assert_eq!(
                            answer["userErrors"][0]["code"], "ILLEGAL_TRANSITION",
                            "{label}: {answer}"
                        );
                        let message = answer["userErrors"][0]["message"].as_str().unwrap();
                        assert!(message.contains(from), "{label}: {message}");
                        assert_eq!(answer["order"], Value::Null, "{label}");
                    }
                    assert_eq!(
                        (now_status.as_str(), now_history),
                        (*from, history),
                        "{label}: a refusal changes nothing"
                    );
                    assert_eq!((on_hand, allocated), stock, "{label}: stock untouched");
                }
            }
        }
    }
    shop.server.stop().await
}
e2e!(every_transition_is_applied_or_refused_as_the_table_says);
