//! Storefront access tokens: staff create them (shown once, stored hashed), list and revoke
//! them; the check the Shopify-shaped endpoint makes accepts a live token only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use schema::storefront_access::service::live_token;
use serde_json::json;

const CREATE: &str = "mutation($name: String!) { storefrontTokenCreate(name: $name) {
  storefrontToken { id name createdAt revokedAt } token userErrors { field code message } } }";
const REVOKE: &str = "mutation($id: ID!) { storefrontTokenRevoke(id: $id) {
  storefrontToken { id revokedAt } userErrors { field code message } } }";
const LIST: &str = "{ storefrontTokens { id name revokedAt } }";

async fn storefront_tokens_are_shown_once_and_stop_working_when_revoked(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 0).await?;
    let admin = server.admin().await?;
    let created = admin
        .mutate_ok(CREATE, json!({ "name": "  Next.js storefront " }))
        .await?;
    let token = created["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 32, "Shopify's shape: 32 hex characters");
    assert_eq!(created["storefrontToken"]["name"], "Next.js storefront");
    let id = created["storefrontToken"]["id"].clone();

    let db = &server.app.app.db;
    assert_eq!(
        live_token(db, &token).await?.map(|t| t.to_string()),
        id.as_str().map(str::to_owned)
    );
    assert_eq!(
        live_token(db, "0123456789abcdef0123456789abcdef").await?,
        None
    );
    let listed = admin.graphql(LIST, json!({})).await?;
    assert_eq!(
        listed.data()["storefrontTokens"],
        json!([{ "id": id, "name": "Next.js storefront", "revokedAt": null }])
    );
    assert!(
        !listed.body.to_string().contains(&token),
        "the token is shown once only"
    );
    let log = admin
        .graphql(
            "{ auditEvents(first: 10) { nodes { changes { field before after } } } }",
            json!({}),
        )
        .await?;
    assert!(!log.body.to_string().contains(&token));

    let revoked = admin.mutate_ok(REVOKE, json!({ "id": id })).await?;
    assert!(revoked["storefrontToken"]["revokedAt"].is_string());
    assert_eq!(
        live_token(db, &token).await?,
        None,
        "a revoked token is refused"
    );
    let again = admin.mutate(REVOKE, json!({ "id": id })).await?;
    assert_eq!(again["userErrors"][0]["code"], "INVALID");
    server.stop().await
}
e2e!(storefront_tokens_are_shown_once_and_stop_working_when_revoked);

async fn storefront_tokens_need_manage_settings_and_a_name(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 0).await?;
    let admin = server.admin().await?;
    let nameless = admin.mutate(CREATE, json!({ "name": "   " })).await?;
    assert_eq!(nameless["userErrors"][0]["field"], json!(["name"]));
    assert!(nameless["token"].is_null());
    let shopper = server.customer("shopper@example.com").await?;
    let refused = shopper.graphql(CREATE, json!({ "name": "mine" })).await?;
    assert_eq!(refused.error_code(), Some("FORBIDDEN"));
    let listing = shopper.graphql(LIST, json!({})).await?;
    assert_eq!(listing.error_code(), Some("FORBIDDEN"));
    let tokens = admin.graphql(LIST, json!({})).await?;
    assert_eq!(
        tokens.data()["storefrontTokens"],
        json!([]),
        "nothing was stored"
    );
    server.stop().await
}
e2e!(storefront_tokens_need_manage_settings_and_a_name);
