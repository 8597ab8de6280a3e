//! Shipping (SPEC §8 "Fulfilment"): part or all of an order, tracking the shopper follows
//! live, delivery, call-backs — never more than was ordered, never a negative stock count.

use super::money::{history, user_error_code};
use super::*;
use e2e::WsProtocol;

const SHIPPED: &str = "fulfillments { id status trackingCompany trackingNumber trackingUrl warehouse { code } lines { orderLine { id } quantity } } order { status fulfillmentStatus lines { id quantity shippedQuantity } events { kind message } } userErrors { field code message }";

fn create_query() -> String {
    format!(
        "mutation($id: ID!, $input: FulfillmentCreateInput!) {{ fulfillmentCreate(orderId: $id, input: $input) {{ {SHIPPED} }} }}"
    )
}

fn change_query(field: &str) -> String {
    format!(
        "mutation($id: ID!) {{ {field}(id: $id) {{ fulfillment {{ id status deliveredAt }} order {{ status fulfillmentStatus }} userErrors {{ code message }} }} }}"
    )
}

impl Shop {
    pub(super) async fn ship(
        &self,
        order: OrderId,
        lines: Value,
        tracking: Value,
    ) -> anyhow::Result<Value> {
        let mut input = tracking;
        input["lines"] = lines;
        self.admin
            .mutate(
                &create_query(),
                json!({ "id": order.to_string(), "input": input }),
            )
            .await
    }

    pub(super) async fn shipment_change(&self, field: &str, id: &Value) -> anyhow::Result<Value> {
        self.admin
            .mutate(&change_query(field), json!({ "id": id }))
            .await
    }

    pub(super) async fn first_line(&self, order: OrderId) -> anyhow::Result<Value> {
        Ok(self.money_of(order).await?["lines"][0]["id"].clone())
    }
}

async fn shipping_two_of_three_then_the_rest_then_delivery(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let alice = shop.server.customer("alice@example.com").await?;
    let cart = shop.cart_of(&alice, &[(0, 3)]).ready().create().await?;
    let payment = json!({ "provider": "test", "token": "tok_visa" });
    let order = order_id(placed(&shop.checkout(&alice, cart, "k", payment).await?));
    let line = shop.first_line(order).await?;
    assert_eq!(shop.stock_of(0).await?, (10, 3));

    // The owner follows the order live.
    let watch = "subscription($id: ID!) { orderUpdated(orderId: $id) { status fulfillmentStatus fulfillments { trackingNumber } } }";
    let before = shop.server.event_subscribers().await?;
    let mut owner = shop
        .server
        .websocket(
            WsProtocol::TransportWs,
            json!({ "accessToken": alice.token() }),
        )
        .await?;
    owner
        .subscribe("1", watch, json!({ "id": order.to_string() }))
        .await?;
    shop.server.until_subscribers(before + 1).await?;

    let tracking = json!({ "trackingCompany": "UPS", "trackingNumber": "1Z999AA10123456784", "trackingUrl": "https://example.com/track/1Z999", "notifyCustomer": true });
    let first = shop
        .ship(
            order,
            json!([{ "orderLineId": line, "quantity": 2 }]),
            tracking,
        )
        .await?;
    assert_eq!(first["userErrors"], json!([]), "{first}");
    assert_eq!(first["order"]["status"], "PAID");
    assert_eq!(first["order"]["fulfillmentStatus"], "PARTIALLY_FULFILLED");
    assert_eq!(first["order"]["lines"][0]["shippedQuantity"], 2);
    let shipment = &first["fulfillments"][0];
    assert_eq!(shipment["status"], "SHIPPED");
    assert_eq!(shipment["trackingNumber"], "1Z999AA10123456784");
    assert_eq!(shipment["warehouse"]["code"], "MAIN");
    assert_eq!(shipment["lines"][0]["quantity"], 2);
    assert_eq!(
        shop.stock_of(0).await?,
        (8, 1),
        "two units left: onHand and allocated drop"
    );
    // The owner sees it with the tracking (skipping events the checkout left behind).
    let mut seen = owner.next_json().await?;
    for _ in 0..3 {
        if seen["payload"]["data"]["orderUpdated"]["fulfillmentStatus"] == "PARTIALLY_FULFILLED" {
            break;
        }
        seen = owner.next_json().await?;
    }
    let update = &seen["payload"]["data"]["orderUpdated"];
    assert_eq!(update["fulfillmentStatus"], "PARTIALLY_FULFILLED", "{seen}");
    assert_eq!(
        update["fulfillments"][0]["trackingNumber"],
        "1Z999AA10123456784"
    );

    // Two more than are left: refused, nothing moves.
    let over = shop
        .ship(
            order,
            json!([{ "orderLineId": line, "quantity": 2 }]),
            json!({}),
        )
        .await?;
    assert_eq!(user_error_code(&over), "INVALID", "{over}");
    assert_eq!(shop.stock_of(0).await?, (8, 1));

    let last = shop
        .ship(
            order,
            json!([{ "orderLineId": line, "quantity": 1 }]),
            json!({ "trackingNumber": "2" }),
        )
        .await?;
    assert_eq!(last["order"]["status"], "FULFILLED", "{last}");
    assert_eq!(last["order"]["fulfillmentStatus"], "FULFILLED");
    assert_eq!(shop.stock_of(0).await?, (7, 0));
    // The same connection sees the second shipment too: nothing it read for the first event
    // is served again from a cache that outlives the event.
    let mut seen = owner.next_json().await?;
    for _ in 0..3 {
        if seen["payload"]["data"]["orderUpdated"]["fulfillmentStatus"] == "FULFILLED" {
            break;
        }
        seen = owner.next_json().await?;
    }
    let update = &seen["payload"]["data"]["orderUpdated"];
    assert_eq!(update["fulfillmentStatus"], "FULFILLED", "{seen}");
    let numbers: Vec<&Value> = update["fulfillments"]
        .as_array()
        .map(|all| all.iter().map(|f| &f["trackingNumber"]).collect())
        .unwrap_or_default();
    assert_eq!(numbers.len(), 2, "{seen}");

    // Delivery: the order is DELIVERED once both shipments arrived.
    let ids = [
        first["fulfillments"][0]["id"].clone(),
        last["fulfillments"][0]["id"].clone(),
    ];
    let one = shop
        .shipment_change("fulfillmentMarkDelivered", &ids[0])
        .await?;
    assert_eq!(one["fulfillment"]["status"], "DELIVERED", "{one}");
    assert_eq!(
        one["order"]["fulfillmentStatus"], "FULFILLED",
        "one is still on its way"
    );
    let both = shop
        .shipment_change("fulfillmentMarkDelivered", &ids[1])
        .await?;
    assert_eq!(both["order"]["fulfillmentStatus"], "DELIVERED", "{both}");
    assert_eq!(both["order"]["status"], "FULFILLED");
    let again = shop
        .shipment_change("fulfillmentMarkDelivered", &ids[1])
        .await?;
    assert_eq!(user_error_code(&again), "ILLEGAL_TRANSITION");
    let recall = shop.shipment_change("fulfillmentCancel", &ids[0]).await?;
    assert_eq!(
        user_error_code(&recall),
        "ILLEGAL_TRANSITION",
        "delivered: too late"
    );
    let kinds = history(&shop.money_of(order).await?);
    assert!(
        kinds.ends_with(&[
            "PARTIALLY_FULFILLED".into(),
            "FULFILLED".into(),
            "DELIVERED".into(),
            "DELIVERED".into()
        ]),
        "{kinds:?}"
    );
    shop.server.stop().await
}
e2e!(shipping_two_of_three_then_the_rest_then_delivery);

async fn twenty_shipments_of_the_last_unit_ship_it_once(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let order = shop.order_paid_with(&[(0, 1)], "tok_visa").await?;
    let line = shop.first_line(order).await?;
    let attempts = (0..20).map(|n| {
        let (shop, line) = (&shop, line.clone());
        async move {
            shop.ship(
                order,
                json!([{ "orderLineId": line, "quantity": 1 }]),
                json!({ "trackingNumber": format!("T{n}") }),
            )
            .await
        }
    });
    let answers = futures_util::future::try_join_all(attempts).await?;
    let shipped = answers
        .iter()
        .filter(|a| a["userErrors"] == json!([]))
        .count();
    assert_eq!(shipped, 1, "{answers:?}");
    for refused in answers.iter().filter(|a| a["userErrors"] != json!([])) {
        let code = user_error_code(refused);
        assert!(
            code == "INVALID" || code == "ILLEGAL_TRANSITION",
            "{refused}"
        );
    }
    assert_eq!(
        shop.stock_of(0).await?,
        (9, 0),
        "onHand dropped by exactly the unit shipped"
    );
    let levels = entities::stock_level::Entity::find().all(&shop.db).await?;
    assert!(
        levels.iter().all(|l| l.on_hand >= 0 && l.allocated >= 0),
        "{levels:?}"
    );
    let after = shop.money_of(order).await?;
    assert_eq!(after["lines"][0]["shippedQuantity"], 1);
    shop.server.stop().await
}
e2e!(twenty_shipments_of_the_last_unit_ship_it_once);

async fn a_cancelled_shipment_puts_its_units_back(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let order = shop.order_paid_with(&[(0, 3)], "tok_visa").await?;
    let line = shop.first_line(order).await?;
    let shipped = shop
        .ship(
            order,
            json!([{ "orderLineId": line, "quantity": 2 }]),
            json!({}),
        )
        .await?;
    assert_eq!(shop.stock_of(0).await?, (8, 1));
    let id = shipped["fulfillments"][0]["id"].clone();
    // Nothing may be cancelled while units are out.
    let cancel = shop
        .admin
        .order_action(e2e::OrderAction::Cancel, order)
        .await?;
    assert_eq!(user_error_code(&cancel), "ILLEGAL_TRANSITION", "{cancel}");

    let recalled = shop.shipment_change("fulfillmentCancel", &id).await?;
    assert_eq!(recalled["userErrors"], json!([]), "{recalled}");
    assert_eq!(recalled["fulfillment"]["status"], "CANCELLED");
    assert_eq!(recalled["order"]["fulfillmentStatus"], "UNFULFILLED");
    assert_eq!(recalled["order"]["status"], "PAID");
    assert_eq!(
        shop.stock_of(0).await?,
        (10, 3),
        "on hand and allocated again"
    );
    let twice = shop.shipment_change("fulfillmentCancel", &id).await?;
    assert_eq!(user_error_code(&twice), "ILLEGAL_TRANSITION");

    // `orderFulfill` ships everything left, as one shipment.
    let all = shop
        .admin
        .order_action(e2e::OrderAction::Fulfill, order)
        .await?;
    assert_eq!(all["order"]["status"], "FULFILLED", "{all}");
    assert_eq!(shop.stock_of(0).await?, (7, 0));
    let after = shop.money_of(order).await?;
    assert_eq!(after["lines"][0]["shippedQuantity"], 3);
    shop.server.stop().await
}
e2e!(a_cancelled_shipment_puts_its_units_back);

async fn bad_shipments_are_refused_and_change_nothing(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let order = shop.order_paid_with(&[(0, 2)], "tok_visa").await?;
    let line = shop.first_line(order).await?;
    let one = json!([{ "orderLineId": line, "quantity": 1 }]);
    let cases = [
        (json!([]), json!({}), "INVALID", "no lines"),
        (
            json!([{ "orderLineId": line, "quantity": 0 }]),
            json!({}),
            "INVALID",
            "zero units",
        ),
        (
            json!([{ "orderLineId": line, "quantity": 1 }, { "orderLineId": line, "quantity": 1 }]),
            json!({}),
            "INVALID",
            "a line twice",
        ),
        (
            json!([{ "orderLineId": uuid::Uuid::now_v7().to_string(), "quantity": 1 }]),
            json!({}),
            "NOT_FOUND",
            "another line",
        ),
        (
            one.clone(),
            json!({ "trackingUrl": "javascript:alert(1)" }),
            "INVALID",
            "not a web URL",
        ),
        (
            one.clone(),
            json!({ "trackingNumber": "a\nb" }),
            "INVALID",
            "two lines",
        ),
        (
            json!([{ "orderLineId": line, "quantity": 3 }]),
            json!({}),
            "INVALID",
            "more than ordered",
        ),
        (
            json!((0..3).map(|_| json!({ "orderLineId": uuid::Uuid::now_v7().to_string(), "quantity": 1 })).collect::<Vec<_>>()),
            json!({}),
            "INVALID",
            "more lines than the order has",
        ),
    ];
    for (lines, tracking, code, why) in cases {
        let refused = shop.ship(order, lines, tracking).await?;
        assert_eq!(user_error_code(&refused), code, "{why}: {refused}");
    }
    // An unpaid order does not ship.
    let manual_cart = shop.ready_cart(&[(0, 1)]).await?;
    let manual = order_id(placed(
        &shop
            .checkout(&shop.guest, manual_cart, "k", Value::Null)
            .await?,
    ));
    let manual_line = shop.first_line(manual).await?;
    let unpaid = shop
        .ship(
            manual,
            json!([{ "orderLineId": manual_line, "quantity": 1 }]),
            json!({}),
        )
        .await?;
    assert_eq!(user_error_code(&unpaid), "ILLEGAL_TRANSITION", "{unpaid}");
    // Customers cannot ship.
    let customer = shop.server.customer("mallory@example.com").await?;
    let forbidden = customer
        .graphql(
            &create_query(),
            json!({ "id": order.to_string(), "input": { "lines": one } }),
        )
        .await?;
    assert_eq!(
        forbidden.error_code(),
        Some("FORBIDDEN"),
        "{}",
        forbidden.body
    );
    assert_eq!(shop.stock_of(0).await?, (10, 3));
    let after = shop.money_of(order).await?;
    assert_eq!(after["lines"][0]["shippedQuantity"], 0);
    shop.server.stop().await
}
e2e!(bad_shipments_are_refused_and_change_nothing);

/// A guest follows the shipment with the order's access key; a stranger cannot.
async fn a_guest_with_the_access_key_sees_the_tracking_live(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let cart = shop.ready_cart(&[(0, 2)]).await?;
    let payment = json!({ "provider": "test", "token": "tok_visa" });
    let checkout = shop.checkout(&shop.guest, cart, "k", payment).await?;
    let order = order_id(placed(&checkout));
    let key = checkout.data()["checkoutComplete"]["accessKey"].clone();
    assert!(key.is_string(), "{}", checkout.body);
    let line = shop.first_line(order).await?;

    let watch = "subscription($id: ID!, $key: String) { orderUpdated(orderId: $id, accessKey: $key) { fulfillmentStatus fulfillments { trackingNumber trackingUrl } } }";
    let stranger = shop.server.customer("bob@example.com").await?;
    let mut nosy = shop
        .server
        .websocket(
            WsProtocol::TransportWs,
            json!({ "accessToken": stranger.token() }),
        )
        .await?;
    nosy.subscribe("1", watch, json!({ "id": order.to_string() }))
        .await?;
    let refused = nosy.next_json().await?;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );

    let before = shop.server.event_subscribers().await?;
    let mut guest = shop
        .server
        .websocket(WsProtocol::TransportWs, json!({}))
        .await?;
    guest
        .subscribe("1", watch, json!({ "id": order.to_string(), "key": key }))
        .await?;
    shop.server.until_subscribers(before + 1).await?;
    let tracking = json!({ "trackingNumber": "JD014600006281", "trackingUrl": "https://example.com/t/JD014600006281" });
    let shipped = shop
        .ship(
            order,
            json!([{ "orderLineId": line, "quantity": 1 }]),
            tracking,
        )
        .await?;
    assert_eq!(
        shipped["order"]["fulfillmentStatus"], "PARTIALLY_FULFILLED",
        "{shipped}"
    );
    let mut seen = guest.next_json().await?;
    for _ in 0..3 {
        if seen["payload"]["data"]["orderUpdated"]["fulfillmentStatus"] == "PARTIALLY_FULFILLED" {
            break;
        }
        seen = guest.next_json().await?;
    }
    let update = &seen["payload"]["data"]["orderUpdated"];
    assert_eq!(update["fulfillmentStatus"], "PARTIALLY_FULFILLED", "{seen}");
    assert_eq!(
        update["fulfillments"][0]["trackingNumber"],
        "JD014600006281"
    );
    shop.server.stop().await
}
e2e!(a_guest_with_the_access_key_sees_the_tracking_live);
