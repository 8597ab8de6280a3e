//! Subscription behaviour on one server: resync hints, lowStock, caps.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

async fn subscribers_that_may_have_missed_events_are_resynced(
    backend: Backend,
) -> anyhow::Result<()> {
    let a = writer(backend, None, true).await?;
    let mut client = watcher(&a.writer, &a.variant).await?;
    a.adjust(4).await?;
    let live = client.next_json().await?;
    assert_eq!(update(&live)["resync"], false);

    // What the Redis bridge sends after a reconnect: the subscriber gets the current state
    // of what it watches that changed lately, marked as a resync.
    a.writer.app.app.events.deliver_locally(BusMessage::Resync);
    let restated = client.next_json().await?;
    let restated = update(&restated);
    assert_eq!(restated["resync"], true);
    assert_eq!(restated["variantId"], a.variant.as_str());
    assert_eq!(restated["available"], update(&live)["available"]);
    a.writer.stop().await
}
e2e!(subscribers_that_may_have_missed_events_are_resynced);

/// A gauge from the server's `/metrics`.
async fn gauge(server: &TestServer, name: &str) -> anyhow::Result<u64> {
    let metrics = server.get_text("/metrics").await?;
    let prefix = format!("shopgraph_{name} ");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .and_then(|value| value.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no {name} gauge in /metrics"))
}

async fn identical_public_subscriptions_share_one_execution(
    backend: Backend,
) -> anyhow::Result<()> {
    let a = writer(backend, None, true).await?;
    // Two sockets send the same subscription, a third watches every variant.
    let mut first = watcher(&a.writer, &a.variant).await?;
    let mut second = watcher(&a.writer, &a.variant).await?;
    let before = a.writer.event_subscribers().await?;
    let mut everything = a
        .writer
        .websocket(WsProtocol::TransportWs, json!({}))
        .await?;
    everything.subscribe("1", WATCH, json!({ "v": [] })).await?;
    a.writer.until_subscribers(before + 1).await?;
    assert_eq!(gauge(&a.writer, "subscription_feeds").await?, 2);
    assert_eq!(gauge(&a.writer, "subscription_feed_followers").await?, 3);

    a.adjust(4).await?;
    let seen_first = first.next_json().await?;
    let seen_second = second.next_json().await?;
    let seen_everything = everything.next_json().await?;
    assert_eq!(update(&seen_first), update(&seen_second));
    assert_eq!(update(&seen_first), update(&seen_everything));
    assert_eq!(update(&seen_first)["variantId"], a.variant.as_str());

    // One subscriber leaving does not end the feed for the other.
    drop(first);
    a.adjust(-1).await?;
    let next = second.next_json().await?;
    assert_eq!(
        update(&next)["available"].as_i64(),
        update(&seen_first)["available"].as_i64().map(|n| n - 1)
    );
    assert_ne!(update(&next)["eventId"], update(&seen_first)["eventId"]);
    // The feed stops with its last subscriber.
    drop(second);
    drop(everything);
    let deadline = Instant::now() + Duration::from_secs(10);
    while gauge(&a.writer, "subscription_feeds").await? > 0 {
        assert!(
            Instant::now() < deadline,
            "feeds still running after their subscribers left"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(gauge(&a.writer, "subscription_feed_followers").await?, 0);
    a.writer.stop().await
}
e2e!(identical_public_subscriptions_share_one_execution);

async fn low_stock_is_for_staff_and_reports_low_variants(backend: Backend) -> anyhow::Result<()> {
    let a = writer(backend, None, true).await?;
    // Units in the other warehouses: the threshold sits just above them.
    let variant: Uuid = a.variant.parse()?;
    let warehouse: Uuid = a.warehouse.parse()?;
    let elsewhere: i32 = stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.eq(variant))
        .filter(stock_level::Column::WarehouseId.ne(warehouse))
        .all(&a.writer.app.app.db)
        .await?
        .iter()
        .map(|l| l.on_hand - l.allocated)
        .sum();
    let threshold = elsewhere + 2;
    let query = "subscription($t: Int) { lowStock(threshold: $t) { variantId available } }";

    let mut anonymous = a
        .writer
        .websocket(WsProtocol::TransportWs, json!({}))
        .await?;
    anonymous
        .subscribe("1", query, json!({ "t": threshold }))
        .await?;
    let refused = anonymous.next_json().await?;
    assert_eq!(
        first_error(&refused)["extensions"]["code"],
        "UNAUTHENTICATED"
    );

    let mut staff = a
        .writer
        .websocket(
            WsProtocol::TransportWs,
            json!({ "Authorization": format!("Bearer {}", a.admin) }),
        )
        .await?;
    let before = a.writer.event_subscribers().await?;
    staff
        .subscribe("1", query, json!({ "t": threshold }))
        .await?;
    a.writer.until_subscribers(before + 1).await?;
    let set = "mutation($v: ID!, $w: ID!, $n: Int!) { stockSet(variantId: $v, warehouseId: $w, onHand: $n) { userErrors { message } } }";
    // Plenty: not reported. Then low: reported.
    for on_hand in [50, 1] {
        a.writer
            .graphql_as(
                Some(&a.admin),
                set,
                json!({ "v": a.variant, "w": a.warehouse, "n": on_hand }),
            )
            .await?;
    }
    let message = staff.next_json().await?;
    let low = &message["payload"]["data"]["lowStock"];
    assert_eq!(low["variantId"], a.variant.as_str());
    assert_eq!(
        low["available"].as_i64().unwrap(),
        i64::from(elsewhere + 1),
        "{message}"
    );
    a.writer.stop().await
}
e2e!(low_stock_is_for_staff_and_reports_low_variants);

async fn connections_and_subscriptions_are_capped(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::start(backend, 1, |config| {
        config.websocket.max_subscriptions_per_connection = 2;
        config.websocket.max_websockets_per_client = 2;
    })
    .await?;
    let mut client = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    for id in ["1", "2", "3"] {
        client.subscribe(id, WATCH, json!({ "v": [] })).await?;
    }
    // The three are started concurrently: whichever comes last is refused, and completed.
    let refused = client.next_json().await?;
    assert!(
        first_error(&refused)["message"]
            .as_str()
            .unwrap()
            .contains("at most 2 subscriptions"),
        "{refused}"
    );
    let refused_id = refused["id"].as_str().unwrap().to_owned();
    let completed = client.next_json().await?;
    assert_eq!(completed["type"], "complete");
    assert_eq!(completed["id"], refused_id.as_str());
    // Completing an accepted one frees its slot for a new subscription.
    let accepted = if refused_id == "1" { "2" } else { "1" };
    client
        .send(json!({ "type": "complete", "id": accepted }))
        .await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    client.subscribe("4", WATCH, json!({ "v": [] })).await?;
    let deadline = Instant::now() + Duration::from_millis(400);
    while let Ok(Ok(message)) = tokio::time::timeout_at(deadline.into(), client.next_json()).await {
        assert_ne!(
            message["id"], "4",
            "the fourth subscription was refused: {message}"
        );
    }

    let _second = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    let third = server.websocket(WsProtocol::TransportWs, json!({})).await;
    let refusal = format!("{:?}", third.err().expect("a third connection is refused"));
    assert!(refusal.contains("429"), "{refusal}");
    server.stop().await
}
e2e!(connections_and_subscriptions_are_capped);
