//! The HTTP surface around GraphQL: health, metrics, GraphiQL, websockets, request ids.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, WsProtocol, e2e};
use schema::events::{BusMessage, DomainEvent};
use schema::inventory::events::StockUpdate;
use serde_json::{Value, json};
use std::time::Duration;

async fn health_readiness_and_metrics(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 3).await?;
    let health: Value = server
        .http()
        .get(server.url("/healthz"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(health["status"], "ok");
    let ready = server.http().get(server.url("/readyz")).send().await?;
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().await?;
    assert_eq!(ready["checks"]["database"], "ok");

    let r = server
        .http()
        .post(server.url("/graphql"))
        .json(&json!({ "query": "{ products(first: 1) { nodes { id } } }" }))
        .send()
        .await?;
    assert!(
        r.headers().get("x-request-id").is_some(),
        "every response carries a request id"
    );
    let metrics = server.get_text("/metrics").await?;
    assert!(
        metrics.contains(
            "shopgraph_http_requests_total{method=\"POST\",route=\"/graphql\",status=\"200\"}"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("shopgraph_sql_statements_total"));
    server.stop().await
}
e2e!(health_readiness_and_metrics);

async fn graphiql_is_served_from_the_binary(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 0).await?;
    let page = server
        .http()
        .get(server.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await?;
    assert_eq!(page.status(), 200);
    let html = page.text().await?;
    assert!(
        html.contains("/graphiql/assets/graphiql.min.js"),
        "the page loads the embedded bundle"
    );
    assert!(
        !html.contains("unpkg.com") && !html.contains("jsdelivr"),
        "no CDN"
    );
    for (asset, content_type) in [
        ("graphiql.min.js", "javascript"),
        ("graphiql.min.css", "text/css"),
        ("react.production.min.js", "javascript"),
        ("react-dom.production.min.js", "javascript"),
    ] {
        let r = server
            .http()
            .get(server.url(&format!("/graphiql/assets/{asset}")))
            .send()
            .await?;
        assert_eq!(r.status(), 200, "{asset}");
        assert!(
            r.headers()["content-type"].to_str()?.contains(content_type),
            "{asset}"
        );
        assert!(r.bytes().await?.len() > 5_000, "{asset} is a real bundle");
    }

    // In production mode there is no GraphiQL.
    let production = TestServer::start(server.backend.clone(), 0, |c| {
        c.server.production = true;
        c.auth.jwt_secret = "a production secret of at least 32 bytes".parse().ok();
    })
    .await?;
    let page = production
        .http()
        .get(production.url("/graphql"))
        .send()
        .await?;
    assert_eq!(page.status(), 404);
    let introspection = production
        .graphql("{ __schema { queryType { name } } }", json!({}))
        .await?;
    assert_eq!(
        introspection.error_code(),
        Some("FORBIDDEN"),
        "introspection is off in production"
    );
    production.stop().await?;
    server.stop().await
}
e2e!(graphiql_is_served_from_the_binary);

fn stock_update(product: uuid::Uuid, variant: uuid::Uuid, available: i32) -> DomainEvent {
    DomainEvent::StockChanged(StockUpdate {
        event_id: uuid::Uuid::now_v7(),
        variant_uuid: variant,
        product_uuid: product,
        sku: "SKU-1".into(),
        available,
        in_stock: available > 0,
        occurred_at: chrono_now(),
        resync: false,
        low_stock_threshold: None,
        was_in_stock: None,
    })
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

async fn subscriptions_work_over_both_websocket_protocols(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 0).await?;
    let (product, variant, other) = (
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
    );
    let query = "subscription($p: [ID!]) { stockChanged(productIds: $p) { productId variantId sku available inStock occurredAt } }";

    for protocol in [WsProtocol::TransportWs, WsProtocol::LegacyWs] {
        let mut client = server.websocket(protocol, json!({})).await?;
        assert_eq!(client.accepted_protocol.as_deref(), Some(protocol.name()));
        client
            .subscribe("1", query, json!({ "p": [product.to_string()] }))
            .await?;
        // Give the server a moment to register the subscription, then publish: an event for
        // another product (filtered out) and one for ours.
        tokio::time::sleep(Duration::from_millis(200)).await;
        server
            .app
            .app
            .events
            .deliver_locally(BusMessage::Event(stock_update(other, other, 1)));
        server
            .app
            .app
            .events
            .deliver_locally(BusMessage::Event(stock_update(product, variant, 7)));
        let message = client.next_json().await?;
        assert_eq!(message["type"], protocol.next(), "{protocol:?}: {message}");
        let update = &message["payload"]["data"]["stockChanged"];
        assert_eq!(
            update["productId"],
            product.to_string(),
            "{protocol:?}: only the watched product arrives"
        );
        assert_eq!(update["variantId"], variant.to_string());
        assert_eq!(update["available"], 7);
        assert_eq!(update["inStock"], true);
        client.socket.close(None).await?;
    }
    server.stop().await
}
e2e!(subscriptions_work_over_both_websocket_protocols);

async fn shutdown_closes_websockets_with_going_away(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 0).await?;
    let mut client = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    client
        .subscribe("1", "subscription { stockChanged { sku } }", json!({}))
        .await?;
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Graceful shutdown completes promptly despite the open subscription...
    let stopping = tokio::spawn(server.stop());
    // ...and the client is told the server is going away (1001), so it reconnects elsewhere.
    assert_eq!(client.close_code().await?, 1001);
    tokio::time::timeout(Duration::from_secs(10), stopping).await???;
    Ok(())
}
e2e!(shutdown_closes_websockets_with_going_away);

async fn get_requests_execute_queries(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 3).await?;
    let response = server
        .http()
        .get(server.url("/graphql"))
        .query(&[("query", "{ products(first: 2) { nodes { slug } } }")])
        .send()
        .await?;
    let r = TestServer::read(response).await?;
    assert_eq!(r.data()["products"]["nodes"].as_array().unwrap().len(), 2);
    server.stop().await
}
e2e!(get_requests_execute_queries);

async fn websocket_liveness_uses_server_pings(backend: Backend) -> anyhow::Result<()> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let server =
        TestServer::start(backend, 0, |c| c.websocket.websocket_ping_interval_ms = 200).await?;
    let product = uuid::Uuid::now_v7();

    // A client that sends no GraphQL-level pings (like GraphiQL) but answers ping frames, as
    // every browser does, stays connected well past two ping intervals.
    let mut client = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    client
        .subscribe(
            "1",
            "subscription { stockChanged { productId available } }",
            json!({}),
        )
        .await?;
    let mut pings = 0;
    let quiet_until = tokio::time::Instant::now() + Duration::from_millis(1500);
    while let Ok(Some(message)) = tokio::time::timeout_at(quiet_until, client.socket.next()).await {
        if matches!(message?, Message::Ping(_)) {
            pings += 1; // tungstenite queues the pong and sends it on the next poll
        }
    }
    assert!(
        pings >= 3,
        "the server pings idle connections ({pings} pings in 1.5 s)"
    );
    server
        .app
        .app
        .events
        .deliver_locally(BusMessage::Event(stock_update(product, product, 2)));
    let message = client.next_json().await?;
    assert_eq!(
        message["payload"]["data"]["stockChanged"]["available"], 2,
        "still subscribed"
    );

    client.socket.close(None).await?;
    drop(client);

    // A peer that stops answering (never reads, so never pongs) is dropped.
    let silent = server.websocket(WsProtocol::TransportWs, json!({})).await?;
    let gauge = || server.app.metrics.websocket_connections.get();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    while gauge() != 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(gauge(), 1, "only the silent peer is connected");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(gauge(), 0, "the silent peer was dropped");
    drop(silent);
    server.stop().await
}
e2e!(websocket_liveness_uses_server_pings);
