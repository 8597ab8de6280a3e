//! A receiver that keeps failing: deliveries give up after their schedule, a webhook failing
//! too often in a row is switched off, staff switch it back on and resend.

use super::*;

const RETRY: &str = "mutation($id: ID!) { webhookDeliveryRetry(id: $id) { delivery { id status } userErrors { field code message } } }";
const SWITCH: &str = "mutation($id: ID!, $on: Boolean!) { webhookUpdate(id: $id, input: { active: $on }) { webhook { active disabledReason consecutiveFailures } userErrors { field code message } } }";

/// With a 1 ms retry base the whole schedule (15 attempts) takes about 5 s: the delivery
/// gives up, and `webhookDeliveryRetry` sends it again. Then, failing on, 20 failures in a
/// row switch the webhook off; its unsent deliveries wait, and switching it on sends them.
async fn failing_deliveries_give_up_and_a_failing_webhook_is_switched_off(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = shop(backend, 1, |config| {
        config.webhooks.webhook_disable_after_failures = 20;
    })
    .await?;
    let receiver = WebhookReceiver::start().await?;
    receiver.fail_all(true);
    let (webhook, _) = subscribe(&shop.admin, &receiver.url(), &["STOCK_CHANGED"]).await?;

    shop.set_stock(0, 7).await?;
    let deliveries = deliveries_when(&shop.admin, "GAVE_UP", |d| {
        d.first().is_some_and(|d| d["status"] == "GAVE_UP")
    })
    .await?;
    let gave_up = &deliveries[0];
    assert_eq!(gave_up["attempts"], 15);
    assert_eq!(gave_up["lastResponseStatus"], 500);
    assert_eq!(gave_up["lastError"], "answered 500 Internal Server Error");
    assert_eq!(gave_up["nextAttemptAt"], Value::Null);
    assert_eq!(receiver.received().len(), 15);
    let listed = &super::webhooks(&shop.admin).await?[0];
    assert_eq!(listed["consecutiveFailures"], 15);
    assert_eq!(listed["active"], true, "15 < 20: still on");

    // A manual retry once the receiver is fixed: one more attempt, accepted.
    receiver.fail_all(false);
    shop.admin
        .mutate_ok(RETRY, json!({ "id": gave_up["id"] }))
        .await?;
    let deliveries = deliveries_when(&shop.admin, "SUCCEEDED", |d| {
        d.first().is_some_and(|d| d["status"] == "SUCCEEDED")
    })
    .await?;
    assert_eq!(deliveries[0]["attempts"], 16);
    assert_eq!(
        receiver
            .attempts_of(gave_up["eventId"].as_str().unwrap())
            .len(),
        16
    );
    assert_eq!(
        super::webhooks(&shop.admin).await?[0]["consecutiveFailures"],
        0,
        "a success resets the count"
    );

    // Failing again: two messages fail 20 times between them and the webhook is off.
    receiver.fail_all(true);
    shop.set_stock(0, 6).await?;
    shop.set_stock(0, 5).await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let off = loop {
        let listed = super::webhooks(&shop.admin).await?.remove(0);
        if listed["active"] == false {
            break listed;
        }
        anyhow::ensure!(Instant::now() < deadline, "never switched off: {listed}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    // An attempt already under way when the 20th failed may add one.
    assert!(
        off["consecutiveFailures"].as_i64().is_some_and(|n| n >= 20),
        "{off}"
    );
    assert!(
        off["disabledReason"]
            .as_str()
            .is_some_and(|r| r.contains("20 failed attempts")),
        "{off}"
    );
    let held: Vec<Value> = off["deliveries"]["nodes"].as_array().unwrap()[..2].to_vec();
    assert!(held.iter().all(|d| d["status"] == "FAILED"), "{held:#?}");
    // Nothing is sent while it is off, and a retry is refused until it is on.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let attempts_when_off = receiver.received().len();
    assert!(attempts_when_off >= 16 + 20, "{attempts_when_off}");
    let refused = shop
        .admin
        .mutate(RETRY, json!({ "id": held[0]["id"] }))
        .await?;
    assert_eq!(refused["userErrors"][0]["code"], "INVALID", "{refused}");
    shop.set_stock(0, 4).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), attempts_when_off);

    // Switched on with the receiver fixed: the held messages go out, once each.
    receiver.fail_all(false);
    let on = shop
        .admin
        .mutate_ok(SWITCH, json!({ "id": webhook, "on": true }))
        .await?;
    assert_eq!(
        on["webhook"],
        json!({ "active": true, "disabledReason": null, "consecutiveFailures": 0 })
    );
    let ids: Vec<String> = held
        .iter()
        .map(|d| d["eventId"].as_str().unwrap().to_owned())
        .collect();
    let accepted = receiver
        .until_accepted(&ids, Duration::from_secs(20))
        .await?;
    assert_eq!(accepted.len(), 3, "the retried one and the two held");
    deliveries_when(&shop.admin, "all SUCCEEDED", |d| {
        d.len() == 3 && d.iter().all(|d| d["status"] == "SUCCEEDED")
    })
    .await?;
    shop.server.stop().await
}
e2e!(failing_deliveries_give_up_and_a_failing_webhook_is_switched_off);
