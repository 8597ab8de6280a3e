//! Payment provider webhooks: HMAC-signed, idempotent, and they move orders.

use super::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const SECRET: &str = "whsec_a test secret";

/// The documented signature, computed independently of the server's code.
fn signature(secret: &str, body: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

async fn post(
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

async fn order_status(shop: &Shop, id: &Value) -> anyhow::Result<(String, usize)> {
    let admin = shop.server.admin_token().await?;
    let read = shop
        .server
        .graphql_as(
            Some(&admin),
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
        config.payment_webhook_secret = Some(SECRET.to_owned());
    })
    .await?;
    let pending = json!({ "provider": "test", "token": "tok_pending" });
    let cart = shop.ready_cart(&[(0, 1)]).await?;
    let order = placed(&shop.checkout(None, &cart, "k", pending.clone()).await?).clone();
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
    let second = placed(&shop.checkout(None, &cart, "k", pending).await?)["id"].clone();
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
