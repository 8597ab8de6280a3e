//! Deactivating a staff member ends their sessions at once — HTTP (401), the refresh token,
//! an open websocket subscription — and they cannot sign in again until reactivated; a
//! change of their roles ends their sessions too.

use super::staff_with;
use e2e::{Backend, CUSTOMER_PASSWORD, TestServer, WsProtocol, e2e};
use serde_json::json;

const SIGN_IN: &str = "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { accessToken refreshToken userErrors { code message } } }";
const REFRESH: &str =
    "mutation($t: String!) { tokenRefresh(refreshToken: $t) { accessToken userErrors { code } } }";
const EMAIL: &str = "dana@example.com";

async fn deactivation_ends_sessions_at_once(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 1).await?;
    let admin = server.admin_token().await?;
    let (_, dana_id, role) = staff_with(&server, EMAIL, &["MANAGE_INVENTORY"]).await?;
    let signed_in = server
        .graphql(SIGN_IN, json!({ "e": EMAIL, "p": CUSTOMER_PASSWORD }))
        .await?;
    let tokens = &signed_in.data()["tokenCreate"];
    let access = tokens["accessToken"].as_str().unwrap().to_owned();
    let refresh = tokens["refreshToken"].as_str().unwrap().to_owned();

    let mut socket = server
        .websocket(WsProtocol::TransportWs, json!({ "accessToken": access }))
        .await?;
    socket
        .subscribe(
            "low",
            "subscription { lowStock { sku available } }",
            json!({}),
        )
        .await?;
    let me = socket.run("me", "{ me { email } }", json!({})).await?;
    assert_eq!(me["data"]["me"]["email"], EMAIL, "{me}");

    let deactivated = server
        .graphql_as(
            Some(&admin),
            "mutation($id: ID!) { staffDeactivate(id: $id) { staffMember { status permissions } userErrors { code } } }",
            json!({ "id": dana_id }),
        )
        .await?;
    let payload = &deactivated.data()["staffDeactivate"];
    assert_eq!(payload["staffMember"]["status"], "DEACTIVATED", "{payload}");
    assert_eq!(payload["staffMember"]["permissions"], json!([]));

    let http = server
        .graphql_as(Some(&access), "{ me { email } }", json!({}))
        .await?;
    assert_eq!(http.status, 401, "{}", http.body);
    let ended = socket.message_for("low").await?;
    assert_eq!(ended["type"], "next", "{ended}");
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{ended}"
    );
    assert_eq!(socket.message_for("low").await?["type"], "complete");
    let refreshed = server.graphql(REFRESH, json!({ "t": refresh })).await?;
    assert_eq!(
        refreshed.data()["tokenRefresh"]["userErrors"][0]["code"],
        "INVALID_TOKEN",
        "{}",
        refreshed.body
    );
    let again = server
        .graphql(SIGN_IN, json!({ "e": EMAIL, "p": CUSTOMER_PASSWORD }))
        .await?;
    let refused = &again.data()["tokenCreate"];
    assert!(refused["accessToken"].is_null(), "{refused}");
    assert_eq!(refused["userErrors"][0]["code"], "INVALID_CREDENTIALS");
    // A wrong password is told nothing more than for any account.
    let wrong = server
        .graphql(SIGN_IN, json!({ "e": EMAIL, "p": "not the password" }))
        .await?;
    assert_eq!(
        wrong.data()["tokenCreate"]["userErrors"][0]["message"],
        "the email or password is incorrect"
    );

    // Reactivated, Dana signs in again; a change of her roles ends that session too.
    let reactivated = server
        .graphql_as(
            Some(&admin),
            "mutation($id: ID!) { staffReactivate(id: $id) { staffMember { status } } }",
            json!({ "id": dana_id }),
        )
        .await?;
    assert_eq!(
        reactivated.data()["staffReactivate"]["staffMember"]["status"],
        "ACTIVE"
    );
    let access = server.sign_in(EMAIL, CUSTOMER_PASSWORD).await?;
    assert!(!access.is_empty());
    let other = super::create_role(&server, &admin, "Discounts", &["MANAGE_DISCOUNTS"]).await?;
    let changed = server
        .graphql_as(
            Some(&admin),
            "mutation($id: ID!, $roles: [ID!]) { staffUpdate(id: $id, input: { roleIds: $roles }) { staffMember { permissions } userErrors { code } } }",
            json!({ "id": dana_id, "roles": [role, other["role"]["id"]] }),
        )
        .await?;
    assert_eq!(
        changed.data()["staffUpdate"]["staffMember"]["permissions"],
        json!(["MANAGE_INVENTORY", "MANAGE_DISCOUNTS"]),
        "{}",
        changed.body
    );
    let http = server
        .graphql_as(Some(&access), "{ me { email } }", json!({}))
        .await?;
    assert_eq!(http.status, 401, "the old permissions' token is over");
    server.stop().await
}
e2e!(deactivation_ends_sessions_at_once);
