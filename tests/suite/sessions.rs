//! Sessions end everything that relies on them: when an access token expires or its session
//! is signed out, HTTP answers 401, a websocket signed in with it refuses further operations
//! (`UNAUTHENTICATED`) and its subscriptions that need the account end with that error — on
//! every replica.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::carts::Shop;
use e2e::{Backend, CUSTOMER_PASSWORD, TestRedis, TestServer, WsClient, WsProtocol, e2e};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SIGN_IN: &str = "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { accessToken refreshToken } }";
const REVOKE: &str = "mutation($t: String!, $all: Boolean) { tokenRevoke(refreshToken: $t, allSessions: $all) { revokedTokens userErrors { code } } }";
const ME: &str = "{ me { email } }";
const CART_CREATE: &str = "mutation { cartCreate { cart { id } userErrors { code } } }";
const WATCH_ORDER: &str = "subscription($id: ID!) { orderUpdated(orderId: $id) { id status } }";
/// Replicas sign and check tokens with one secret.
const JWT_SECRET: &str = "a secret shared by the test replicas";

fn shared_secret(config: &mut shopgraph::config::Config) {
    config.auth.jwt_secret = JWT_SECRET.parse().ok();
}

/// How long a test waits for what must happen eventually (generous: the machine is shared).
const PATIENCE: Duration = Duration::from_secs(60);

struct Session {
    access: String,
    refresh: String,
}

async fn sign_in(server: &TestServer, email: &str) -> anyhow::Result<Session> {
    let signed_in = server
        .graphql(SIGN_IN, json!({ "e": email, "p": CUSTOMER_PASSWORD }))
        .await?;
    let tokens = &signed_in.data()["tokenCreate"];
    Ok(Session {
        access: tokens["accessToken"].as_str().unwrap().to_owned(),
        refresh: tokens["refreshToken"].as_str().unwrap().to_owned(),
    })
}

async fn sign_out(server: &TestServer, refresh: &str, all: bool) -> anyhow::Result<()> {
    let out = server
        .graphql(REVOKE, json!({ "t": refresh, "all": all }))
        .await?;
    assert_eq!(out.data()["tokenRevoke"]["userErrors"], json!([]));
    Ok(())
}

/// The HTTP status of `{ me }` with `token`.
async fn http_status(server: &TestServer, token: &str) -> anyhow::Result<u16> {
    Ok(server.graphql_as(Some(token), ME, json!({})).await?.status)
}

/// Runs `query` over `client` as operation `id` and returns its result.
async fn run(client: &mut WsClient, id: &str, query: &str) -> anyhow::Result<Value> {
    client.run(id, query, json!({})).await
}

fn assert_unauthenticated(payload: &Value) {
    assert_eq!(
        payload["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{payload}"
    );
    assert!(payload["data"].is_null(), "{payload}");
}

/// A socket signed in with `token`, following `order`'s updates as operation "watch".
async fn watching(shop: &Shop, token: &str, order: &Value) -> anyhow::Result<WsClient> {
    let mut client = shop
        .server
        .websocket(WsProtocol::TransportWs, json!({ "accessToken": token }))
        .await?;
    client
        .subscribe("watch", WATCH_ORDER, json!({ "id": order }))
        .await?;
    Ok(client)
}

/// The subscription "watch" ends with an UNAUTHENTICATED error, then completes.
async fn assert_watch_ended(client: &mut WsClient) -> anyhow::Result<()> {
    let ended = client.message_for("watch").await?;
    assert_eq!(ended["type"], "next", "{ended}");
    assert_unauthenticated(&ended["payload"]);
    let done = client.message_for("watch").await?;
    assert_eq!(done["type"], "complete", "{done}");
    Ok(())
}

async fn websocket_operations_end_when_the_access_token_expires(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |c| c.auth.access_token_ttl_secs = 3).await?;
    let email = "alice@example.com";
    let placing = shop.server.customer(email).await?;
    let order = shop.customer_order(&placing).await?.1["id"].clone();

    let session = sign_in(&shop.server, email).await?;
    let mut client = watching(&shop, &session.access, &order).await?;
    let me = run(&mut client, "me", ME).await?;
    assert_eq!(me["data"]["me"]["email"], email, "{me}");

    // Nothing but time passes: the token expires, and with it the subscription.
    assert_watch_ended(&mut client).await?;
    assert_unauthenticated(&run(&mut client, "me again", ME).await?);
    assert_unauthenticated(&run(&mut client, "cart", CART_CREATE).await?);
    assert_eq!(http_status(&shop.server, &session.access).await?, 401);
    shop.server.stop().await
}
e2e!(websocket_operations_end_when_the_access_token_expires);

async fn signing_out_ends_access_tokens_and_websockets_at_once(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], shared_secret).await?;
    let email = "alice@example.com";
    shop.server.customer_token(email).await?;
    let phone = sign_in(&shop.server, email).await?;
    let laptop = sign_in(&shop.server, email).await?;
    let order = shop
        .customer_order(&shop.server.viewer(&laptop.access))
        .await?
        .1["id"]
        .clone();
    let mut on_phone = watching(&shop, &phone.access, &order).await?;
    let mut on_laptop = watching(&shop, &laptop.access, &order).await?;
    for client in [&mut on_phone, &mut on_laptop] {
        let me = run(client, "me", ME).await?;
        assert_eq!(me["data"]["me"]["email"], email, "{me}");
    }

    // Signing out of the phone's session ends the phone's tokens only.
    sign_out(&shop.server, &phone.refresh, false).await?;
    assert_eq!(http_status(&shop.server, &phone.access).await?, 401);
    assert_eq!(http_status(&shop.server, &laptop.access).await?, 200);
    assert_watch_ended(&mut on_phone).await?;
    assert_unauthenticated(&run(&mut on_phone, "me again", ME).await?);
    assert_unauthenticated(&run(&mut on_phone, "cart", CART_CREATE).await?);
    let still = run(&mut on_laptop, "me again", ME).await?;
    assert_eq!(still["data"]["me"]["email"], email, "{still}");

    // Signing out everywhere ends the laptop's too, long before its token would expire.
    sign_out(&shop.server, &laptop.refresh, true).await?;
    assert_eq!(http_status(&shop.server, &laptop.access).await?, 401);
    assert_watch_ended(&mut on_laptop).await?;
    assert_unauthenticated(&run(&mut on_laptop, "me last", ME).await?);
    assert_unauthenticated(&run(&mut on_laptop, "cart", CART_CREATE).await?);
    let refused = shop
        .server
        .websocket(
            WsProtocol::TransportWs,
            json!({ "accessToken": laptop.access }),
        )
        .await;
    assert!(refused.is_err(), "a signed-out token opens no new socket");

    // A new sign-in is a new session: it works.
    let again = sign_in(&shop.server, email).await?;
    assert_eq!(http_status(&shop.server, &again.access).await?, 200);

    // A replica that starts afterwards knows of the sign-out too (from the database).
    let late = shop.server.replica(shared_secret).await?;
    assert_eq!(http_status(&late, &laptop.access).await?, 401);
    assert_eq!(http_status(&late, &again.access).await?, 200);
    late.stop().await?;
    shop.server.stop().await
}
e2e!(signing_out_ends_access_tokens_and_websockets_at_once);

async fn signing_out_reaches_every_replica(backend: Backend) -> anyhow::Result<()> {
    let Some(redis) = TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let with_redis = |config: &mut shopgraph::config::Config| {
        shared_secret(config);
        config.cache.redis_url = Some(redis.url.clone());
        config.cache.redis_namespace = redis.namespace.clone();
    };
    let shop = Shop::open(backend, &[1000], with_redis).await?;
    let other = shop.server.replica(with_redis).await?;
    let email = "alice@example.com";
    shop.server.customer_token(email).await?;
    let session = sign_in(&shop.server, email).await?;
    let mut client = other
        .websocket(
            WsProtocol::TransportWs,
            json!({ "accessToken": session.access }),
        )
        .await?;
    let me = run(&mut client, "me", ME).await?;
    assert_eq!(me["data"]["me"]["email"], email, "{me}");
    assert_eq!(http_status(&other, &session.access).await?, 200);

    // Signed out through the first replica; the other learns it through the event hub.
    sign_out(&shop.server, &session.refresh, true).await?;
    let deadline = Instant::now() + PATIENCE;
    while http_status(&other, &session.access).await? != 401 {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the other replica still accepts it"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_unauthenticated(&run(&mut client, "me again", ME).await?);
    assert_unauthenticated(&run(&mut client, "cart", CART_CREATE).await?);
    other.stop().await?;
    shop.server.stop().await?;
    redis.cleanup().await
}
e2e!(signing_out_reaches_every_replica);

async fn a_reused_refresh_token_ends_its_sessions_access_tokens(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 0).await?;
    let email = "alice@example.com";
    server.customer_token(email).await?;
    let first = sign_in(&server, email).await?;
    let refresh = "mutation($t: String!) { tokenRefresh(refreshToken: $t) { accessToken userErrors { code } } }";
    let rotated = server
        .graphql(refresh, json!({ "t": first.refresh }))
        .await?;
    let second = rotated.data()["tokenRefresh"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(http_status(&server, &second).await?, 200);
    // The rotated token comes back (a stolen copy): the session ends, access tokens included.
    let reused = server
        .graphql(refresh, json!({ "t": first.refresh }))
        .await?;
    assert_eq!(
        reused.data()["tokenRefresh"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );
    assert_eq!(http_status(&server, &second).await?, 401);
    assert_eq!(http_status(&server, &first.access).await?, 401);
    server.stop().await
}
e2e!(a_reused_refresh_token_ends_its_sessions_access_tokens);
