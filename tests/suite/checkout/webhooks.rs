//! Payment provider webhooks: HMAC-signed, idempotent, and they move orders.

use super::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub(super) const SECRET: &str = "whsec_a test secret";

/// The documented signature, computed independently of the server's code.
pub(super) fn signature(secret: &str, body: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

pub(super) async fn post(
    shop: &Shop,
    provider: &str,
    body: &str,
    signature: &str,
) -> anyhow::Result<(u16, Value)> {
    let response = shop
        .server
        .http()
        .post(shop.server.url(&format!("/webhooks/payments/{provider}")))
        .header("content-type", "application/json")
        .header("shopgraph-signature", signature)
        .body(body.to_owned())
        .send()
        .await?;
    Ok((response.status().as_u16(), response.json().await?))
}

/// The order's status and how many history entries it has.
pub(super) async fn order_status(shop: &Shop, id: &Value) -> anyhow::Result<(String, usize)> {
    let read = shop
        .admin
        .graphql(
            "query($id: ID!) { order(id: $id) { status events { kind } } }",
            json!({ "id": id }),
        )
        .await?;
    let order = &read.data()["order"];
    Ok((
        order["status"].as_str().unwrap().to_owned(),
        order["events"].as_array().unwrap().len(),
    ))
}

async fn signed_webhooks_settle_pending_payments(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |config| {
        config.commerce.payment_webhook_secret = Some(SECRET.to_owned());
    })
    .await?;
    let pending = json!({ "provider": "test", "token": "tok_pending" });
    let cart = shop.ready_cart(&[(0, 1)]).await?;
    let order = placed(
        &shop
            .checkout(&shop.guest, &cart, "k", pending.clone())
            .await?,
    )
    .clone();
    assert_eq!(order["status"], "PLACED");
    assert_eq!(order["payments"][0]["status"], "PENDING");
    let reference = order["payments"][0]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = chrono::Utc::now().timestamp();
    let body = json!({ "id": "evt_1", "type": "payment.succeeded", "orderId": order["id"], "reference": reference }).to_string();

    // Forged, tampered and stale requests are refused and change nothing.
    for bad in [
        signature("not the secret", &body, now),
        signature(SECRET, &body.replace("evt_1", "evt_9"), now),
        signature(SECRET, &body, now - 3600),
        "t=0".to_owned(),
        String::new(),
    ] {
        let (status, _) = post(&shop, "test", &body, &bad).await?;
        assert_eq!(status, 401, "{bad}");
    }
    assert_eq!(
        order_status(&shop, &order["id"]).await?,
        ("PLACED".to_owned(), 1)
    );

    let (status, answer) = post(&shop, "test", &body, &signature(SECRET, &body, now)).await?;
    assert_eq!((status, answer["message"].as_str()), (200, Some("applied")));
    assert_eq!(
        order_status(&shop, &order["id"]).await?,
        ("PAID".to_owned(), 2)
    );
    // Delivered again (providers retry): acknowledged, nothing changes.
    let (status, answer) = post(&shop, "test", &body, &signature(SECRET, &body, now)).await?;
    assert_eq!(
        (status, answer["message"].as_str()),
        (200, Some("already processed"))
    );
    assert_eq!(
        order_status(&shop, &order["id"]).await?,
        ("PAID".to_owned(), 2)
    );

    // A failure notice arriving after the success (providers do not promise order) changes
    // nothing: only an unpaid order is cancelled by a decline.
    let late =
        json!({ "id": "evt_late", "type": "payment.failed", "orderId": order["id"] }).to_string();
    let (status, answer) = post(&shop, "test", &late, &signature(SECRET, &late, now)).await?;
    assert_eq!(
        (status, answer["message"].as_str()),
        (200, Some("already processed"))
    );
    assert_eq!(
        order_status(&shop, &order["id"]).await?,
        ("PAID".to_owned(), 2)
    );

    // A failed payment cancels the order and releases its stock.
    let cart = shop.ready_cart(&[(0, 4)]).await?;
    let second = placed(&shop.checkout(&shop.guest, &cart, "k", pending).await?)["id"].clone();
    assert_eq!(shop.stock_of(0).await?, (10, 5));
    let failed = json!({ "id": "evt_2", "type": "payment.failed", "orderId": second, "reason": "insufficient funds" }).to_string();
    let (status, _) = post(&shop, "test", &failed, &signature(SECRET, &failed, now)).await?;
    assert_eq!(status, 200);
    assert_eq!(order_status(&shop, &second).await?.0, "CANCELLED");
    assert_eq!(shop.stock_of(0).await?, (10, 1));

    // Unknown providers, orders and types.
    let (status, _) = post(&shop, "paypal", &body, &signature(SECRET, &body, now)).await?;
    assert_eq!(status, 404);
    let stranger =
        json!({ "id": "evt_3", "type": "payment.succeeded", "orderId": uuid::Uuid::new_v4() })
            .to_string();
    let (status, _) = post(&shop, "test", &stranger, &signature(SECRET, &stranger, now)).await?;
    assert_eq!(status, 404);
    let odd =
        json!({ "id": "evt_4", "type": "payment.teleported", "orderId": order["id"] }).to_string();
    let (status, _) = post(&shop, "test", &odd, &signature(SECRET, &odd, now)).await?;
    assert_eq!(status, 422);
    shop.server.stop().await
}
e2e!(signed_webhooks_settle_pending_payments);

async fn without_a_secret_there_is_no_webhook_endpoint(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let body = "{}";
    let (status, _) = post(
        &shop,
        "test",
        body,
        &signature(SECRET, body, chrono::Utc::now().timestamp()),
    )
    .await?;
    assert_eq!(status, 404);
    shop.server.stop().await
}
e2e!(without_a_secret_there_is_no_webhook_endpoint);

/// The order's status and its payment's reference, as staff see them.
async fn payment_state(shop: &Shop, id: &Value) -> anyhow::Result<(String, Value)> {
    let read = shop
        .admin
        .graphql(
            "query($id: ID!) { order(id: $id) { status payments { reference } } }",
            json!({ "id": id }),
        )
        .await?;
    let order = &read.data()["order"];
    Ok((
        order["status"].as_str().unwrap().to_owned(),
        order["payments"][0]["reference"].clone(),
    ))
}

async fn unusable_notifications_get_a_recorded_refusal(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |config| {
        config.commerce.payment_webhook_secret = Some(SECRET.to_owned());
    })
    .await?;
    let pending = json!({ "provider": "test", "token": "tok_pending" });
    let mut orders = Vec::new();
    for _ in 0..2 {
        let cart = shop.ready_cart(&[(0, 1)]).await?;
        orders.push(
            placed(
                &shop
                    .checkout(&shop.guest, &cart, "k", pending.clone())
                    .await?,
            )
            .clone(),
        );
    }
    let (first, second) = (&orders[0], &orders[1]);
    let taken = second["payments"][0]["reference"].clone();
    let now = chrono::Utc::now().timestamp();
    let send = |body: String| {
        let signed = signature(SECRET, &body, now);
        let shop = &shop;
        async move { post(shop, "test", &body, &signed).await }
    };

    // Another payment's reference: 409, and the redelivery gets the same 409.
    let stolen = json!({ "id": "evt_stolen", "type": "payment.succeeded", "orderId": first["id"], "reference": taken }).to_string();
    for _ in 0..2 {
        let (status, answer) = send(stolen.clone()).await?;
        assert_eq!(status, 409, "{answer}");
        assert_eq!(answer["status"], 409);
        assert!(
            answer["message"]
                .as_str()
                .unwrap()
                .contains("another payment")
        );
        assert_eq!(payment_state(&shop, &first["id"]).await?.0, "PLACED");
    }
    assert_eq!(payment_state(&shop, &second["id"]).await?.1, taken);

    // A reference longer than its column, and a failure reason of several lines: 422, twice.
    let long = json!({ "id": "evt_long", "type": "payment.succeeded", "orderId": first["id"], "reference": "r".repeat(256) }).to_string();
    let multiline = json!({ "id": "evt_lines", "type": "payment.failed", "orderId": first["id"], "reason": "a\nb" }).to_string();
    for body in [long, multiline] {
        for _ in 0..2 {
            let (status, answer) = send(body.clone()).await?;
            assert_eq!(status, 422, "{answer}");
            assert_eq!(answer["status"], 422);
            assert_eq!(payment_state(&shop, &first["id"]).await?.0, "PLACED");
        }
    }
    // An event id longer than its column cannot even be recorded: 400.
    let long_id =
        json!({ "id": "e".repeat(256), "type": "payment.succeeded", "orderId": first["id"] })
            .to_string();
    let (status, answer) = send(long_id).await?;
    assert_eq!((status, answer["status"].as_u64()), (400, Some(400)));

    // A good notification for the same order still goes through.
    let reference = "r".repeat(255);
    let good = json!({ "id": "evt_good", "type": "payment.succeeded", "orderId": first["id"], "reference": reference }).to_string();
    let (status, answer) = send(good).await?;
    assert_eq!((status, answer["message"].as_str()), (200, Some("applied")));
    assert_eq!(
        payment_state(&shop, &first["id"]).await?,
        ("PAID".to_owned(), json!(reference))
    );
    shop.server.stop().await
}
e2e!(unusable_notifications_get_a_recorded_refusal);

async fn each_provider_has_its_own_secret(backend: Backend) -> anyhow::Result<()> {
    const TEST_SECRET: &str = "whsec_only for test";
    let secrets = format!("test={TEST_SECRET}").parse()?;
    let shop = Shop::open(backend, &[1000], move |config| {
        config.commerce.payment_webhook_secrets = Some(secrets);
    })
    .await?;
    let pending = json!({ "provider": "test", "token": "tok_pending" });
    let cart = shop.ready_cart(&[(0, 1)]).await?;
    let order = placed(&shop.checkout(&shop.guest, &cart, "k", pending).await?).clone();
    let now = chrono::Utc::now().timestamp();
    let body =
        json!({ "id": "evt_1", "type": "payment.succeeded", "orderId": order["id"] }).to_string();
    let (status, _) = post(&shop, "test", &body, &signature(SECRET, &body, now)).await?;
    assert_eq!(status, 401, "another secret does not sign for `test`");
    let (status, _) = post(&shop, "test", &body, &signature(TEST_SECRET, &body, now)).await?;
    assert_eq!(status, 200);

    // `manual` payments are recorded by staff: no webhook, however it is signed.
    let cart = shop.ready_cart(&[(0, 1)]).await?;
    let manual = placed(&shop.checkout(&shop.guest, &cart, "k", Value::Null).await?).clone();
    let paid =
        json!({ "id": "evt_2", "type": "payment.succeeded", "orderId": manual["id"] }).to_string();
    for secret in [TEST_SECRET, SECRET] {
        let (status, answer) = post(&shop, "manual", &paid, &signature(secret, &paid, now)).await?;
        assert_eq!(status, 404, "{answer}");
        assert_eq!(answer["status"], 404);
    }
    let read = shop
        .admin
        .graphql(
            "query($id: ID!) { order(id: $id) { status } }",
            json!({ "id": manual["id"] }),
        )
        .await?;
    assert_eq!(read.data()["order"]["status"], "PLACED");
    shop.server.stop().await
}
e2e!(each_provider_has_its_own_secret);
