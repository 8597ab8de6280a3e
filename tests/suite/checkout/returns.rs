//! Returns (SPEC §8): a customer (or a guest with the order's key) asks to send delivered
//! units back within the window, never more than are still out; staff approve or decline,
//! receive (restocking: the units are available again, live) and refund.

use super::money::{history, user_error_code};
use super::*;
use e2e::WsProtocol;
use entities::outbox;
use sea_orm::PaginatorTrait;

const RETURN_FIELDS: &str =
    "id status declineReason restocked receivedAt lines { orderLine { id sku } quantity reason }";

fn payload() -> String {
    format!(
        "return {{ {RETURN_FIELDS} order {{ id }} }} order {{ id status paymentStatus fulfillmentStatus }} userErrors {{ field code message }}"
    )
}

fn request_query() -> String {
    format!(
        "mutation($order: ID!, $lines: [ReturnLineInput!]!, $key: String) {{ returnRequest(orderId: $order, lines: $lines, accessKey: $key) {{ {} }} }}",
        payload()
    )
}

/// A staff mutation on a return: `returnApprove`, `returnDecline`, `returnReceive`, `returnClose`.
fn step_query(field: &str) -> String {
    let (parameters, arguments) = match field {
        "returnDecline" => ("$id: ID!, $reason: String!", "id: $id, reason: $reason"),
        "returnReceive" => ("$id: ID!, $restock: Boolean!", "id: $id, restock: $restock"),
        _ => ("$id: ID!", "id: $id"),
    };
    format!(
        "mutation({parameters}) {{ {field}({arguments}) {{ {} }} }}",
        payload()
    )
}

impl Shop {
    /// An order `buyer` paid for `lines` with a card, shipped in one go and delivered, and
    /// its access key.
    async fn delivered_order(
        &self,
        buyer: &Client,
        lines: &[(usize, i32)],
    ) -> anyhow::Result<(OrderId, String)> {
        let cart = self.cart_of(buyer, lines).ready().create().await?;
        let payment = json!({ "provider": "test", "token": "tok_visa" });
        let checkout = self.checkout(buyer, cart, "k", payment).await?;
        let order = order_id(placed(&checkout));
        let key = checkout.data()["checkoutComplete"]["accessKey"]
            .as_str()
            .unwrap()
            .to_owned();
        let shipped = self
            .admin
            .order_action(e2e::OrderAction::Fulfill, order)
            .await?;
        assert_eq!(shipped["order"]["status"], "FULFILLED", "{shipped}");
        self.deliver(order).await?;
        Ok((order, key))
    }

    /// Marks every shipment of the order delivered.
    async fn deliver(&self, order: OrderId) -> anyhow::Result<()> {
        let shipments = self.returns_of(order).await?["fulfillments"].clone();
        for shipment in shipments.as_array().unwrap() {
            let done = self
                .shipment_change("fulfillmentMarkDelivered", &shipment["id"])
                .await?;
            assert_eq!(done["userErrors"], json!([]), "{done}");
        }
        let after = self.returns_of(order).await?;
        assert_eq!(after["fulfillmentStatus"], "DELIVERED", "{after}");
        Ok(())
    }

    /// The order's returns, shipments and history as staff see them.
    async fn returns_of(&self, order: OrderId) -> anyhow::Result<Value> {
        let query = format!(
            "query($id: ID!) {{ order(id: $id) {{ id status paymentStatus fulfillmentStatus lines {{ id quantity shippedQuantity }} fulfillments {{ id status }} returns {{ {RETURN_FIELDS} }} events {{ kind message }} }} }}"
        );
        let response = self
            .admin
            .graphql(&query, json!({ "id": order.to_string() }))
            .await?;
        Ok(response.data()["order"].clone())
    }

    /// `returnRequest` as `viewer`.
    async fn request_return(
        &self,
        viewer: &Client,
        order: OrderId,
        lines: Value,
        key: Option<&str>,
    ) -> anyhow::Result<Value> {
        viewer
            .mutate(
                &request_query(),
                json!({ "order": order.to_string(), "lines": lines, "key": key }),
            )
            .await
    }

    /// A staff step on a return (`field` and its variables besides `id`).
    async fn return_step(&self, field: &str, id: &Value, more: Value) -> anyhow::Result<Value> {
        let mut variables = more;
        variables["id"] = id.clone();
        self.admin.mutate(&step_query(field), variables).await
    }

    /// Item `index`'s `quantityAvailable`, as staff read it (never cached).
    async fn available(&self, index: usize) -> anyhow::Result<i64> {
        let response = self
            .admin
            .graphql(
                "query($id: ID!) { product(id: $id) { variants { quantityAvailable } } }",
                json!({ "id": self.items[index].product.to_string() }),
            )
            .await?;
        Ok(
            response.data()["product"]["variants"][0]["quantityAvailable"]
                .as_i64()
                .unwrap(),
        )
    }

    /// Outbox rows of the order filed under `topic`.
    async fn topics(&self, order: OrderId, topic: &str) -> anyhow::Result<u64> {
        Ok(outbox::Entity::find()
            .filter(outbox::Column::AggregateId.eq(order.uuid()))
            .filter(outbox::Column::Topic.eq(topic))
            .count(&self.db)
            .await?)
    }
}

/// Reads `client`'s messages until one satisfies `done` (at most `max`), and returns it.
async fn next_where(
    client: &mut e2e::WsClient,
    max: usize,
    done: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    for _ in 0..max {
        let message = client.next_json().await?;
        assert_eq!(message["type"], "next", "{message}");
        if done(&message["payload"]["data"]) {
            return Ok(message["payload"]["data"].clone());
        }
    }
    anyhow::bail!("no such message among the next {max}")
}

async fn a_return_is_requested_approved_received_into_stock_and_refunded(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let alice = shop.server.customer("alice@example.com").await?;
    let (order, _) = shop.delivered_order(&alice, &[(0, 3)]).await?;
    let line = shop.first_line(order).await?;
    assert_eq!(shop.stock_of(0).await?, (7, 0));
    assert_eq!(shop.available(0).await?, 7);

    // The owner follows the order, a storefront follows the stock.
    let before = shop.server.event_subscribers().await?;
    let mut owner = shop
        .server
        .websocket(
            WsProtocol::TransportWs,
            json!({ "accessToken": alice.token() }),
        )
        .await?;
    owner
        .subscribe(
            "1",
            "subscription($id: ID!) { orderUpdated(orderId: $id) { fulfillmentStatus returns { status } events { kind } } }",
            json!({ "id": order.to_string() }),
        )
        .await?;
    let mut stock = shop
        .server
        .websocket(WsProtocol::TransportWs, json!({}))
        .await?;
    stock
        .subscribe(
            "1",
            "subscription($v: [ID!]) { stockChanged(variantIds: $v) { variantId available } }",
            json!({ "v": [shop.items[0].variant.to_string()] }),
        )
        .await?;
    shop.server.until_subscribers(before + 2).await?;

    // One of the three units comes back.
    let asked = shop
        .request_return(
            &alice,
            order,
            json!([{ "orderLineId": line, "quantity": 1, "reason": "too small" }]),
            None,
        )
        .await?;
    assert_eq!(asked["userErrors"], json!([]), "{asked}");
    let first = asked["return"].clone();
    assert_eq!(first["status"], "REQUESTED");
    assert_eq!(first["order"]["id"], order.to_string());
    assert_eq!(first["lines"][0]["quantity"], 1);
    assert_eq!(first["lines"][0]["reason"], "too small");
    assert_eq!(first["lines"][0]["orderLine"]["sku"], "ITEM-0");
    let seen = next_where(&mut owner, 10, |d| {
        d["orderUpdated"]["returns"][0]["status"] == "REQUESTED"
    })
    .await?;
    assert_eq!(
        seen["orderUpdated"]["events"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["kind"],
        "RETURN_REQUESTED"
    );

    // Three more than are out (one is on its way back already): refused, nothing changes.
    let over = shop
        .request_return(
            &alice,
            order,
            json!([{ "orderLineId": line, "quantity": 3 }]),
            None,
        )
        .await?;
    assert_eq!(user_error_code(&over), "RETURN_TOO_LARGE", "{over}");
    assert_eq!(
        over["userErrors"][0]["field"],
        json!(["lines", "0", "quantity"])
    );
    assert_eq!(
        shop.returns_of(order).await?["returns"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let approved = shop
        .return_step("returnApprove", &first["id"], json!({}))
        .await?;
    assert_eq!(approved["return"]["status"], "APPROVED", "{approved}");
    let again = shop
        .return_step("returnApprove", &first["id"], json!({}))
        .await?;
    assert_eq!(user_error_code(&again), "ILLEGAL_TRANSITION", "{again}");

    // The unit arrives and goes back on the shelf: available again, and subscribers see it.
    let received = shop
        .return_step("returnReceive", &first["id"], json!({ "restock": true }))
        .await?;
    assert_eq!(received["userErrors"], json!([]), "{received}");
    assert_eq!(received["return"]["status"], "RECEIVED");
    assert_eq!(received["return"]["restocked"], true);
    assert!(received["return"]["receivedAt"].is_string());
    assert_eq!(received["order"]["fulfillmentStatus"], "PARTIALLY_RETURNED");
    assert_eq!(received["order"]["status"], "FULFILLED");
    assert_eq!(shop.stock_of(0).await?, (8, 0));
    assert_eq!(shop.available(0).await?, 8);
    let live = next_where(&mut stock, 5, |d| d["stockChanged"]["available"] == 8).await?;
    assert_eq!(
        live["stockChanged"]["variantId"],
        shop.items[0].variant.to_string()
    );
    next_where(&mut owner, 10, |d| {
        d["orderUpdated"]["fulfillmentStatus"] == "PARTIALLY_RETURNED"
    })
    .await?;
    let twice = shop
        .return_step("returnReceive", &first["id"], json!({ "restock": true }))
        .await?;
    assert_eq!(user_error_code(&twice), "ILLEGAL_TRANSITION", "{twice}");
    assert_eq!(shop.stock_of(0).await?, (8, 0), "a unit comes back once");

    // The other two, received without approval (the parcel in hand is the approval).
    let rest = shop
        .request_return(
            &alice,
            order,
            json!([{ "orderLineId": line, "quantity": 2 }]),
            None,
        )
        .await?;
    assert_eq!(rest["userErrors"], json!([]), "{rest}");
    let second = rest["return"]["id"].clone();
    let all_back = shop
        .return_step("returnReceive", &second, json!({ "restock": true }))
        .await?;
    assert_eq!(
        all_back["order"]["fulfillmentStatus"], "RETURNED",
        "{all_back}"
    );
    assert_eq!(shop.stock_of(0).await?, (10, 0));
    next_where(&mut owner, 10, |d| {
        d["orderUpdated"]["fulfillmentStatus"] == "RETURNED"
    })
    .await?;
    let nothing_left = shop
        .request_return(
            &alice,
            order,
            json!([{ "orderLineId": line, "quantity": 1 }]),
            None,
        )
        .await?;
    assert_eq!(
        user_error_code(&nothing_left),
        "ILLEGAL_TRANSITION",
        "{nothing_left}"
    );

    // The customer sees both on the account page.
    let mine = alice
        .graphql(
            "{ me { orders(first: 5) { nodes { id returns { status lines { quantity reason } } } } } }",
            json!({}),
        )
        .await?;
    assert_eq!(
        mine.data()["me"]["orders"]["nodes"][0]["returns"],
        json!([
            { "status": "RECEIVED", "lines": [{ "quantity": 1, "reason": "too small" }] },
            { "status": "RECEIVED", "lines": [{ "quantity": 2, "reason": null }] },
        ])
    );

    // Staff refund the returned lines (restock: false — the units are back already) and
    // close the returns.
    let refund = shop
        .refund(
            order,
            json!({ "lines": [{ "orderLineId": line, "quantity": 3 }], "restock": false, "reason": "returned" }),
            "returned",
        )
        .await?;
    assert_eq!(refund["userErrors"], json!([]), "{refund}");
    assert_eq!(refund["refund"]["status"], "SUCCEEDED");
    assert_eq!(refund["refund"]["amount"]["amount"], "30.00");
    assert_eq!(refund["order"]["paymentStatus"], "PARTIALLY_REFUNDED");
    assert_eq!(shop.stock_of(0).await?, (10, 0), "no unit restocked twice");
    for id in [&first["id"], &second] {
        let closed = shop.return_step("returnClose", id, json!({})).await?;
        assert_eq!(closed["return"]["status"], "CLOSED", "{closed}");
    }

    let after = shop.returns_of(order).await?;
    let kinds = history(&after);
    let returns: Vec<&String> = kinds.iter().filter(|k| k.starts_with("RETURN_")).collect();
    assert_eq!(
        returns,
        [
            "RETURN_REQUESTED",
            "RETURN_APPROVED",
            "RETURN_RECEIVED",
            "RETURN_REQUESTED",
            "RETURN_RECEIVED",
            "RETURN_CLOSED",
            "RETURN_CLOSED"
        ],
        "{kinds:?}"
    );
    assert_eq!(shop.topics(order, "RETURN_REQUESTED").await?, 2);
    shop.server.stop().await
}
e2e!(a_return_is_requested_approved_received_into_stock_and_refunded);

/// Only the units shipped and still out may come back, asked for properly, by the order's
/// owner; staff steps are for staff. A refusal changes nothing.
async fn returns_of_more_than_was_shipped_or_by_others_are_refused_and_change_nothing(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let alice = shop.server.customer("alice@example.com").await?;
    let cart = shop.cart_of(&alice, &[(0, 3)]).ready().create().await?;
    let payment = json!({ "provider": "test", "token": "tok_visa" });
    let order = order_id(placed(&shop.checkout(&alice, cart, "k", payment).await?));
    let line = shop.first_line(order).await?;
    let one = json!([{ "orderLineId": line, "quantity": 1 }]);

    // Not delivered yet.
    let early = shop
        .request_return(&alice, order, one.clone(), None)
        .await?;
    assert_eq!(user_error_code(&early), "ILLEGAL_TRANSITION", "{early}");

    // One unit is refunded before shipping: two ship and are delivered.
    let refunded = shop
        .refund(
            order,
            json!({ "lines": [{ "orderLineId": line, "quantity": 1 }], "restock": true }),
            "one",
        )
        .await?;
    assert_eq!(refunded["userErrors"], json!([]), "{refunded}");
    shop.admin
        .order_action(e2e::OrderAction::Fulfill, order)
        .await?;
    shop.deliver(order).await?;
    assert_eq!(shop.stock_of(0).await?, (8, 0));

    let long = "x".repeat(501);
    let cases = [
        (json!([]), "INVALID", "no lines"),
        (
            json!([{ "orderLineId": line, "quantity": 0 }]),
            "INVALID",
            "zero units",
        ),
        (
            json!([{ "orderLineId": line, "quantity": -1 }]),
            "INVALID",
            "negative units",
        ),
        (
            json!([{ "orderLineId": line, "quantity": 1 }, { "orderLineId": line, "quantity": 1 }]),
            "INVALID",
            "a line twice",
        ),
        (
            json!([{ "orderLineId": uuid::Uuid::now_v7().to_string(), "quantity": 1 }]),
            "NOT_FOUND",
            "another order's line",
        ),
        (
            json!([{ "orderLineId": line, "quantity": 1, "reason": long }]),
            "INVALID",
            "a reason too long",
        ),
        (
            json!([{ "orderLineId": line, "quantity": 3 }]),
            "RETURN_TOO_LARGE",
            "three ordered, two shipped",
        ),
    ];
    for (lines, code, why) in cases {
        let refused = shop.request_return(&alice, order, lines, None).await?;
        assert_eq!(user_error_code(&refused), code, "{why}: {refused}");
        assert_eq!(refused["return"], Value::Null, "{why}");
    }

    // Someone else's order is not found, for a customer and for a guest with a wrong key.
    let bob = shop.server.customer("bob@example.com").await?;
    let stranger = shop.request_return(&bob, order, one.clone(), None).await?;
    assert_eq!(user_error_code(&stranger), "NOT_FOUND", "{stranger}");
    let guessed = shop
        .request_return(&shop.guest, order, one.clone(), Some("ok_nonsense"))
        .await?;
    assert_eq!(user_error_code(&guessed), "NOT_FOUND", "{guessed}");

    let after = shop.returns_of(order).await?;
    assert_eq!(after["returns"], json!([]), "nothing was recorded");
    assert!(!history(&after).contains(&"RETURN_REQUESTED".to_owned()));
    assert_eq!(after["fulfillmentStatus"], "DELIVERED");
    assert_eq!(shop.stock_of(0).await?, (8, 0));

    // Both shipped units may come back; staff steps are refused to the customer and to guests.
    let fine = shop
        .request_return(
            &alice,
            order,
            json!([{ "orderLineId": line, "quantity": 2 }]),
            None,
        )
        .await?;
    assert_eq!(fine["userErrors"], json!([]), "{fine}");
    let id = fine["return"]["id"].clone();
    for (field, more) in [
        ("returnApprove", json!({})),
        ("returnDecline", json!({ "reason": "no" })),
        ("returnReceive", json!({ "restock": true })),
        ("returnClose", json!({})),
    ] {
        let mut variables = more;
        variables["id"] = id.clone();
        let customer = alice.graphql(&step_query(field), variables.clone()).await?;
        assert_eq!(
            customer.error_code(),
            Some("FORBIDDEN"),
            "{field}: {}",
            customer.body
        );
        let guest = shop.guest.graphql(&step_query(field), variables).await?;
        assert_eq!(
            guest.error_code(),
            Some("UNAUTHENTICATED"),
            "{field}: {}",
            guest.body
        );
    }
    let list = alice
        .graphql("{ returns(first: 5) { nodes { id } } }", json!({}))
        .await?;
    assert_eq!(list.error_code(), Some("FORBIDDEN"), "{}", list.body);
    let after = shop.returns_of(order).await?;
    assert_eq!(after["returns"][0]["status"], "REQUESTED");
    assert_eq!(shop.stock_of(0).await?, (8, 0));

    // Staff list what waits for a decision.
    let waiting = shop
        .admin
        .graphql(
            "{ returns(first: 5, status: REQUESTED) { nodes { id status order { id } lines { quantity } } pageInfo { hasNextPage endCursor } } }",
            json!({}),
        )
        .await?;
    let page = &waiting.data()["returns"];
    assert_eq!(page["nodes"][0]["id"], id, "{page}");
    assert_eq!(page["nodes"][0]["order"]["id"], order.to_string());
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    let approved = shop
        .admin
        .graphql("{ returns(status: APPROVED) { nodes { id } } }", json!({}))
        .await?;
    assert_eq!(approved.data()["returns"]["nodes"], json!([]));
    shop.server.stop().await
}
e2e!(returns_of_more_than_was_shipped_or_by_others_are_refused_and_change_nothing);

async fn a_return_after_the_window_is_refused(backend: Backend) -> anyhow::Result<()> {
    // A window of 0 days closes as soon as the goods arrive.
    let shop = Shop::open(backend, &[1000], |config| {
        config.commerce.return_window_days = 0;
    })
    .await?;
    let alice = shop.server.customer("alice@example.com").await?;
    let (order, _) = shop.delivered_order(&alice, &[(0, 1)]).await?;
    let line = shop.first_line(order).await?;
    let late = shop
        .request_return(
            &alice,
            order,
            json!([{ "orderLineId": line, "quantity": 1 }]),
            None,
        )
        .await?;
    assert_eq!(user_error_code(&late), "RETURN_WINDOW_CLOSED", "{late}");
    assert_eq!(late["userErrors"][0]["field"], json!(["orderId"]));
    let after = shop.returns_of(order).await?;
    assert_eq!(after["returns"], json!([]));
    assert!(!history(&after).contains(&"RETURN_REQUESTED".to_owned()));
    shop.server.stop().await
}
e2e!(a_return_after_the_window_is_refused);

/// A guest follows the order with its access key: the key also lets them ask for a return.
/// Staff decline it with a reason the guest sees; the units may then be asked for again.
async fn a_guest_with_the_access_key_asks_and_staff_decline_with_a_reason(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let (order, key) = shop.delivered_order(&shop.guest, &[(0, 2)]).await?;
    let line = shop.first_line(order).await?;
    let two = json!([{ "orderLineId": line, "quantity": 2, "reason": "changed my mind" }]);

    let without_key = shop
        .request_return(&shop.guest, order, two.clone(), None)
        .await?;
    assert_eq!(user_error_code(&without_key), "NOT_FOUND", "{without_key}");
    let asked = shop
        .request_return(&shop.guest, order, two.clone(), Some(&key))
        .await?;
    assert_eq!(asked["userErrors"], json!([]), "{asked}");
    assert_eq!(asked["return"]["status"], "REQUESTED");
    let id = asked["return"]["id"].clone();

    let blank = shop
        .return_step("returnDecline", &id, json!({ "reason": "  " }))
        .await?;
    assert_eq!(user_error_code(&blank), "INVALID", "{blank}");
    let declined = shop
        .return_step(
            "returnDecline",
            &id,
            json!({ "reason": "worn: not as it was sent" }),
        )
        .await?;
    assert_eq!(declined["return"]["status"], "DECLINED", "{declined}");
    assert_eq!(
        declined["return"]["declineReason"],
        "worn: not as it was sent"
    );
    for (field, more) in [
        ("returnReceive", json!({ "restock": true })),
        ("returnApprove", json!({})),
        ("returnClose", json!({})),
    ] {
        let refused = shop.return_step(field, &id, more).await?;
        assert_eq!(
            user_error_code(&refused),
            "ILLEGAL_TRANSITION",
            "{field}: {refused}"
        );
    }
    assert_eq!(shop.stock_of(0).await?, (8, 0), "nothing came back");

    // The guest's order-status page shows it.
    let page = shop
        .guest
        .graphql(
            "query($key: String!) { orderByAccessKey(key: $key) { fulfillmentStatus returns { status declineReason lines { quantity reason } } events { kind } } }",
            json!({ "key": key }),
        )
        .await?;
    let seen = &page.data()["orderByAccessKey"];
    assert_eq!(
        seen["returns"],
        json!([{ "status": "DECLINED", "declineReason": "worn: not as it was sent", "lines": [{ "quantity": 2, "reason": "changed my mind" }] }])
    );
    assert_eq!(seen["fulfillmentStatus"], "DELIVERED");
    let kinds = history(seen);
    assert!(
        kinds.ends_with(&["RETURN_REQUESTED".into(), "RETURN_DECLINED".into()]),
        "{kinds:?}"
    );

    // Declined units are the customer's again: they may be asked for once more.
    let again = shop
        .request_return(&shop.guest, order, two, Some(&key))
        .await?;
    assert_eq!(again["return"]["status"], "REQUESTED", "{again}");
    assert_eq!(shop.topics(order, "RETURN_REQUESTED").await?, 2);
    assert!(
        shop.topics(order, "ORDER_UPDATED").await? >= 1,
        "the decline"
    );
    shop.server.stop().await
}
e2e!(a_guest_with_the_access_key_asks_and_staff_decline_with_a_reason);

/// Requests lock the order: of ten asking for the last unit at once, one gets it.
async fn concurrent_requests_for_the_last_unit_return_it_once(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let alice = shop.server.customer("alice@example.com").await?;
    let (order, _) = shop.delivered_order(&alice, &[(0, 1)]).await?;
    let line = shop.first_line(order).await?;
    let attempts = (0..10).map(|_| {
        let (shop, alice, line) = (&shop, &alice, line.clone());
        async move {
            shop.request_return(
                alice,
                order,
                json!([{ "orderLineId": line, "quantity": 1 }]),
                None,
            )
            .await
        }
    });
    let answers = futures_util::future::try_join_all(attempts).await?;
    let made = answers
        .iter()
        .filter(|a| a["userErrors"] == json!([]))
        .count();
    assert_eq!(made, 1, "{answers:?}");
    for refused in answers.iter().filter(|a| a["userErrors"] != json!([])) {
        assert_eq!(user_error_code(refused), "RETURN_TOO_LARGE", "{refused}");
    }
    let after = shop.returns_of(order).await?;
    assert_eq!(after["returns"].as_array().unwrap().len(), 1);
    shop.server.stop().await
}
e2e!(concurrent_requests_for_the_last_unit_return_it_once);

/// Receiving a return and a restocking refund of the same order at once: both succeed and
/// every unit comes back on hand exactly once. (Both take the order's row first, so they
/// queue instead of deadlocking; the interleaving that would deadlock is too narrow for a
/// test to hit reliably, so this checks the outcome, not the lock order.)
async fn a_receipt_and_a_restocking_refund_at_once_both_succeed(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let alice = shop.server.customer("alice@example.com").await?;
    for round in 0..3 {
        let (order, _) = shop.delivered_order(&alice, &[(0, 2)]).await?;
        let line = shop.first_line(order).await?;
        let requested = shop
            .request_return(
                &alice,
                order,
                json!([{ "orderLineId": line, "quantity": 1 }]),
                None,
            )
            .await?;
        let id = requested["return"]["id"].clone();
        let before = shop.available(0).await?;
        let key = format!("concurrent-{round}");
        let receive = shop.return_step("returnReceive", &id, json!({ "restock": true }));
        let refund = shop.refund(
            order,
            json!({ "lines": [{ "orderLineId": line, "quantity": 1 }], "restock": true }),
            &key,
        );
        let (received, refunded) = futures_util::future::try_join(receive, refund).await?;
        assert_eq!(received["userErrors"], json!([]), "{received}");
        assert_eq!(refunded["userErrors"], json!([]), "{refunded}");
        assert_eq!(refunded["refund"]["status"], "SUCCEEDED", "{refunded}");
        // The returned unit and the refunded one are both back on hand, once each.
        assert_eq!(shop.available(0).await?, before + 2);
    }
    shop.server.stop().await
}
e2e!(a_receipt_and_a_restocking_refund_at_once_both_succeed);
