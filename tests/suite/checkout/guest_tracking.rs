//! Guest orders (SPEC §8): checkout hands the buyer an access key; `orderByAccessKey` and
//! `orderUpdated(accessKey:)` open the order to whoever holds it, and to nobody else.

use super::*;
use e2e::OrderAction::MarkPaid;
use e2e::WsProtocol;
use entities::order_access_key;
use sha2::{Digest, Sha256};

const BY_KEY: &str = "query($key: String!) { orderByAccessKey(key: $key) { id status paymentStatus lines { sku quantity } total { amount } } }";

/// The access key of a checkout's answer.
fn access_key(response: &GraphqlResponse) -> String {
    let key = &response.data()["checkoutComplete"]["accessKey"];
    key.as_str()
        .unwrap_or_else(|| panic!("no accessKey: {}", response.body))
        .to_owned()
}

impl Shop {
    /// The order `key` opens, as a signed-out visitor sees it (`null` for none).
    async fn order_by_key(&self, key: &str) -> anyhow::Result<Value> {
        let response = self.guest.graphql(BY_KEY, json!({ "key": key })).await?;
        assert!(
            response.body.get("errors").is_none(),
            "a key never answers with an error: {}",
            response.body
        );
        Ok(response.data()["orderByAccessKey"].clone())
    }
}

async fn guests_read_their_order_with_its_key(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000, 2000], |_| {}).await?;
    let cart = shop.ready_cart(&[(0, 2)]).await?;
    let checkout = shop.checkout(&shop.guest, cart, "k", Value::Null).await?;
    let order = placed(&checkout).clone();
    let key = access_key(&checkout);
    let random = key.strip_prefix("ok_").expect("keys start with ok_");
    // base64: 6 bits a character.
    assert!(random.len() * 6 >= 128, "{key} is too short");
    assert!(
        random
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "base64url: {key}"
    );

    let found = shop.order_by_key(&key).await?;
    assert_eq!(found["id"], order["id"]);
    assert_eq!(found["status"], "PLACED");
    assert_eq!(found["paymentStatus"], "PENDING");
    assert_eq!(
        found["lines"],
        json!([{ "sku": order["lines"][0]["sku"], "quantity": 2 }])
    );

    // Another order's key opens that order only; wrong, mangled and empty keys open nothing.
    let other_cart = shop.ready_cart(&[(1, 1)]).await?;
    let other = shop
        .checkout(&shop.guest, other_cart, "k", Value::Null)
        .await?;
    let other_key = access_key(&other);
    assert_ne!(other_key, key);
    assert_eq!(
        shop.order_by_key(&other_key).await?["id"],
        placed(&other)["id"]
    );
    let mut flipped = key.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped)?;
    let unknown = format!("ok_{}", "A".repeat(random.len()));
    for wrong in [
        "",
        "ok_",
        random,
        flipped.as_str(),
        unknown.as_str(),
        &format!("{key} "),
    ] {
        assert_eq!(shop.order_by_key(wrong).await?, Value::Null, "{wrong:?}");
    }

    // The key is not stored, only its SHA-256. Each order holds two: checkout's, and the
    // one its confirmation mail links with.
    shop.mail_settled().await?;
    let rows = order_access_key::Entity::find().all(&shop.db).await?;
    assert_eq!(rows.len(), 4);
    for row in &rows {
        let stored = serde_json::to_string(row)?;
        assert!(!stored.contains(random), "a key is stored: {stored}");
        assert!(
            !stored.contains(&other_key[3..]),
            "a key is stored: {stored}"
        );
    }
    let row = rows
        .iter()
        .find(|r| r.order_id == order_id(&order).uuid())
        .expect("the order's key row");
    assert_eq!(row.key_hash, hex::encode(Sha256::digest(key.as_bytes())));
    shop.server.stop().await
}
e2e!(guests_read_their_order_with_its_key);

async fn a_replayed_checkout_issues_another_working_key(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let cart = shop.ready_cart(&[(0, 1)]).await?;
    let first = shop.checkout(&shop.guest, cart, "k", Value::Null).await?;
    // Its confirmation mail holds one of the order's keys.
    shop.mail_settled().await?;
    let replayed = shop.checkout(&shop.guest, cart, "k", Value::Null).await?;
    assert_eq!(placed(&replayed)["id"], placed(&first)["id"]);
    let (first_key, second_key) = (access_key(&first), access_key(&replayed));
    assert_ne!(first_key, second_key, "the first key cannot be shown again");
    for key in [&first_key, &second_key] {
        assert_eq!(
            shop.order_by_key(key).await?["id"],
            placed(&first)["id"],
            "{key}"
        );
    }

    // A declined payment still answers with a key: the buyer can see the cancelled order.
    let declined_cart = shop.ready_cart(&[(0, 1)]).await?;
    let declined = shop
        .checkout(
            &shop.guest,
            declined_cart,
            "d",
            json!({ "provider": "test", "token": "tok_declined" }),
        )
        .await?;
    assert_eq!(checkout_errors(&declined)[0]["code"], "PAYMENT_DECLINED");
    let cancelled = shop.order_by_key(&access_key(&declined)).await?;
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(cancelled["paymentStatus"], "FAILED");

    // Replays past the cap answer with the order and no key; the keys issued keep working.
    // (Checkout's first key, the mail's, the first replay's: 17 more make 20.)
    for _ in 3..20 {
        access_key(&shop.checkout(&shop.guest, cart, "k", Value::Null).await?);
    }
    let capped = shop.checkout(&shop.guest, cart, "k", Value::Null).await?;
    assert_eq!(placed(&capped)["id"], placed(&first)["id"]);
    assert_eq!(
        capped.data()["checkoutComplete"]["accessKey"],
        Value::Null,
        "at most 20 keys an order"
    );
    let held = order_access_key::Entity::find()
        .filter(order_access_key::Column::OrderId.eq(order_id(placed(&first)).uuid()))
        .all(&shop.db)
        .await?;
    assert_eq!(held.len(), 20);
    assert_eq!(
        shop.order_by_key(&first_key).await?["id"],
        placed(&first)["id"]
    );
    shop.server.stop().await
}
e2e!(a_replayed_checkout_issues_another_working_key);

async fn guests_follow_their_order_live_with_its_key(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000, 2000], |_| {}).await?;
    let cart = shop.ready_cart(&[(0, 1)]).await?;
    let checkout = shop.checkout(&shop.guest, cart, "k", Value::Null).await?;
    let order = order_id(placed(&checkout));
    let key = access_key(&checkout);
    let other_cart = shop.ready_cart(&[(1, 1)]).await?;
    let other_key = access_key(
        &shop
            .checkout(&shop.guest, other_cart, "k", Value::Null)
            .await?,
    );

    // Read once before it changes: a cached answer would now go stale.
    assert_eq!(shop.order_by_key(&key).await?["status"], "PLACED");
    let watch = "subscription($id: ID!, $key: String) { orderUpdated(orderId: $id, accessKey: $key) { id status } }";
    let mut client = shop
        .server
        .websocket(WsProtocol::TransportWs, json!({}))
        .await?;
    let before = shop.server.event_subscribers().await?;
    client
        .subscribe("1", watch, json!({ "id": order.to_string(), "key": key }))
        .await?;
    shop.server.until_subscribers(before + 1).await?;
    shop.admin.order_action(MarkPaid, order).await?;
    // The checkout's own event may still be on its way from the relay (it reports the order
    // as it then is); the payment's follows.
    let mut message = client.next_json().await?;
    if message["payload"]["data"]["orderUpdated"]["status"] == "PLACED" {
        message = client.next_json().await?;
    }
    assert_eq!(
        message["payload"]["data"]["orderUpdated"]["status"], "PAID",
        "{message}"
    );
    // Never cached, by the server or (as a GET) by anyone on the way.
    assert_eq!(shop.order_by_key(&key).await?["status"], "PAID");
    let by_get = shop
        .server
        .http()
        .get(shop.server.url("/graphql"))
        .query(&[
            ("query", BY_KEY.to_owned()),
            ("variables", json!({ "key": key }).to_string()),
        ])
        .send()
        .await?;
    assert_eq!(e2e::header(&by_get, "cache-control"), "no-store");

    // Without a key, or with another order's, the order is not found.
    for (id, variables) in [
        ("2", json!({ "id": order.to_string() })),
        ("3", json!({ "id": order.to_string(), "key": other_key })),
        (
            "4",
            json!({ "id": order.to_string(), "key": "ok_nonsense" }),
        ),
    ] {
        let mut other = shop
            .server
            .websocket(WsProtocol::TransportWs, json!({}))
            .await?;
        other.subscribe(id, watch, variables.clone()).await?;
        let refused = other.next_json().await?;
        assert_eq!(
            refused["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{variables}: {refused}"
        );
    }
    shop.server.stop().await
}
e2e!(guests_follow_their_order_live_with_its_key);
