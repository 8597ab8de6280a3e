//! The order state machine for staff, order visibility, and `orderUpdated`.

use super::*;
use e2e::OrderAction::{Cancel, Fulfill, MarkPaid, Refund};
use e2e::WsProtocol;

async fn staff_move_orders_through_their_states(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000, 2000], |_| {}).await?;
    let admin = &shop.admin;
    let first = shop.ready_cart(&[(0, 2)]).await?;
    let order = order_id(placed(
        &shop.checkout(&shop.guest, first, "k", Value::Null).await?,
    ));

    // Illegal from PLACED: fulfil and refund.
    for action in [Fulfill, Refund] {
        let refused = admin.order_action(action, order).await?;
        assert_eq!(
            refused["userErrors"][0]["code"], "ILLEGAL_TRANSITION",
            "{action:?}: {refused}"
        );
        assert!(
            refused["userErrors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("PLACED")
        );
    }
    let paid = admin.order_action(MarkPaid, order).await?;
    assert_eq!(paid["order"]["status"], "PAID");
    let again = admin.order_action(MarkPaid, order).await?;
    assert_eq!(again["userErrors"][0]["code"], "ILLEGAL_TRANSITION");
    assert_eq!(shop.stock_of(0).await?, (10, 2));
    let fulfilled = admin.order_action(Fulfill, order).await?;
    assert_eq!(fulfilled["order"]["status"], "FULFILLED");
    assert_eq!(
        shop.stock_of(0).await?,
        (8, 0),
        "shipped: out of onHand and allocated"
    );
    let cancel = admin.order_action(Cancel, order).await?;
    assert_eq!(cancel["userErrors"][0]["code"], "ILLEGAL_TRANSITION");
    let refunded = admin.order_action(Refund, order).await?;
    assert_eq!(refunded["order"]["status"], "REFUNDED");
    let history: Vec<(&str, &str)> = refunded["order"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["toStatus"].as_str().unwrap()))
        .collect();
    assert_eq!(
        history,
        [
            ("PLACED", "PLACED"),
            ("PAID", "PAID"),
            ("FULFILLED", "FULFILLED"),
            ("REFUNDED", "REFUNDED")
        ]
    );
    assert_eq!(
        shop.stock_of(0).await?,
        (8, 0),
        "a shipped refund does not restock"
    );

    // Cancelling releases the allocation.
    let second = shop.ready_cart(&[(1, 3)]).await?;
    let other = order_id(placed(
        &shop.checkout(&shop.guest, second, "k", Value::Null).await?,
    ));
    assert_eq!(shop.stock_of(1).await?, (10, 3));
    let cancelled = admin.order_action(Cancel, other).await?;
    assert_eq!(cancelled["order"]["status"], "CANCELLED");
    assert_eq!(shop.stock_of(1).await?, (10, 0));

    // Customers cannot act; unknown ids are NOT_FOUND.
    let eve = shop.server.customer("eve@example.com").await?;
    let forbidden = eve
        .graphql(
            "mutation($id: ID!) { orderCancel(id: $id) { userErrors { code } } }",
            json!({ "id": other.to_string() }),
        )
        .await?;
    assert_eq!(forbidden.error_code(), Some("FORBIDDEN"));
    let missing = admin
        .order_action(Cancel, OrderId(uuid::Uuid::new_v4()))
        .await?;
    assert_eq!(missing["userErrors"][0]["code"], "NOT_FOUND");
    shop.server.stop().await
}
e2e!(staff_move_orders_through_their_states);

async fn customers_see_their_own_orders_only(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let alice = shop.server.customer("alice@example.com").await?;
    let bob = shop.server.customer("bob@example.com").await?;
    let (cart, order) = shop.customer_order(&alice).await?;
    assert!(order["customerId"].is_string());

    let read = "query($id: ID!) { order(id: $id) { number } me { orders(first: 5) { totalCount nodes { id } pageInfo { hasNextPage } } } }";
    let mine = alice.graphql(read, json!({ "id": order["id"] })).await?;
    assert_eq!(mine.data()["order"]["number"], order["number"]);
    assert_eq!(mine.data()["me"]["orders"]["totalCount"], 1);
    assert_eq!(mine.data()["me"]["orders"]["nodes"][0]["id"], order["id"]);
    let theirs = bob.graphql(read, json!({ "id": order["id"] })).await?;
    assert_eq!(theirs.data()["order"], Value::Null);
    assert_eq!(theirs.data()["me"]["orders"]["totalCount"], 0);
    let anonymous = shop
        .guest
        .graphql(read, json!({ "id": order["id"] }))
        .await?;
    assert_eq!(anonymous.data()["order"], Value::Null);
    // Bob cannot replay Alice's checkout either.
    let replay = shop.checkout(&bob, cart, "k", Value::Null).await?;
    assert_eq!(checkout_errors(&replay)[0]["code"], "NOT_FOUND");

    // Staff list and filter.
    let list = "{ orders(first: 10, filter: { status: [PLACED] }) { totalCount edges { cursor node { number status } } } }";
    let listed = shop.admin.graphql(list, json!({})).await?;
    assert_eq!(listed.data()["orders"]["totalCount"], 1);
    let forbidden = alice.graphql(list, json!({})).await?;
    assert_eq!(forbidden.error_code(), Some("FORBIDDEN"));
    let dated = "query($after: DateTime, $before: DateTime) { orders(filter: { createdAfter: $after, createdBefore: $before }) { totalCount } }";
    let future = "2999-01-01T00:00:00Z";
    for (vars, expected) in [
        (json!({ "after": future }), 0),
        (json!({ "before": future }), 1),
        (
            json!({ "after": "2000-01-01T00:00:00Z", "before": future }),
            1,
        ),
    ] {
        let counted = shop.admin.graphql(dated, vars.clone()).await?;
        assert_eq!(counted.data()["orders"]["totalCount"], expected, "{vars}");
    }

    // Federation: other subgraphs resolve the order under the same rules.
    let entities =
        "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Order { number } } }";
    let reps = json!({ "reps": [{ "__typename": "Order", "id": order["id"] }] });
    let resolved = alice.graphql(entities, reps.clone()).await?;
    assert_eq!(resolved.data()["_entities"][0]["number"], order["number"]);
    let hidden = bob.graphql(entities, reps).await?;
    assert_eq!(hidden.body["data"]["_entities"][0], Value::Null);
    shop.server.stop().await
}
e2e!(customers_see_their_own_orders_only);

async fn order_owners_follow_their_order_live(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let alice = shop.server.customer("alice@example.com").await?;
    let order = order_id(&shop.customer_order(&alice).await?.1);

    let watch = "subscription($id: ID!) { orderUpdated(orderId: $id) { id status } }";
    let mut client = shop
        .server
        .websocket(
            WsProtocol::TransportWs,
            json!({ "accessToken": alice.token() }),
        )
        .await?;
    let before = shop.server.event_subscribers().await?;
    client
        .subscribe("1", watch, json!({ "id": order.to_string() }))
        .await?;
    shop.server.until_subscribers(before + 1).await?;
    shop.admin.order_action(MarkPaid, order).await?;
    // The checkout's own event may still be on its way from the relay: it reports the order as
    // it is when it arrives (PLACED, or already PAID). The payment's event follows.
    let mut message = client.next_json().await?;
    if message["payload"]["data"]["orderUpdated"]["status"] == "PLACED" {
        message = client.next_json().await?;
    }
    assert_eq!(
        message["payload"]["data"]["orderUpdated"]["status"], "PAID",
        "{message}"
    );

    // Someone else cannot follow it.
    let bob = shop.server.customer("bob@example.com").await?;
    let mut other = shop
        .server
        .websocket(
            WsProtocol::TransportWs,
            json!({ "accessToken": bob.token() }),
        )
        .await?;
    other
        .subscribe("1", watch, json!({ "id": order.to_string() }))
        .await?;
    let refused = other.next_json().await?;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
    shop.server.stop().await
}
e2e!(order_owners_follow_their_order_live);
