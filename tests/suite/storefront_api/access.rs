//! Who may use the endpoint and how: API versions in the path, storefront tokens, and
//! answers cached apart from `/graphql`'s.

use super::Storefront;
use e2e::{Backend, TestServer, e2e};
use serde_json::json;

const CREATE_TOKEN: &str = "mutation($name: String!) { storefrontTokenCreate(name: $name) { storefrontToken { id } token userErrors { field code message } } }";
const REVOKE_TOKEN: &str = "mutation($id: ID!) { storefrontTokenRevoke(id: $id) { storefrontToken { id } userErrors { field code message } } }";
const SHOP_QUERY: &str = "{ products(first: 1) { edges { node { id } } } }";

async fn versions_in_the_path_are_checked(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 3).await?;
    let shop = Storefront::new(&server);
    for version in ["2023-01", "2024-04", "2026-01", "2027-01"] {
        let answer = shop.post_to(version, SHOP_QUERY, json!({})).await?;
        assert_eq!(answer.status, 200, "{version}");
        answer.data();
        let typed = shop
            .server
            .http()
            .post(shop.server.url(&format!("/api/{version}/graphql.json")))
            .json(&json!({ "query": SHOP_QUERY }))
            .send()
            .await?;
        assert_eq!(
            e2e::header(&typed, "content-type"),
            "application/json; charset=utf-8",
            "Shopify's clients accept application/json only"
        );
    }
    for version in ["2022-10", "2027-04", "2026-02", "unstable", "latest"] {
        let answer = shop.post_to(version, SHOP_QUERY, json!({})).await?;
        assert_eq!(answer.status, 404, "{version}");
        assert_eq!(answer.error_code(), Some("NOT_FOUND"));
    }
    server.stop().await
}
e2e!(versions_in_the_path_are_checked);

async fn storefront_tokens_are_checked(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::start(backend, 3, |config| {
        config.auth.admin_email = Some(e2e::ADMIN_EMAIL.into());
        config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.into());
        config.server.storefront_token_required = true;
    })
    .await?;
    let admin = server.admin().await?;
    let mut shop = Storefront::new(&server);
    let anonymous = shop.query(SHOP_QUERY, json!({})).await?;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.error_code(), Some("UNAUTHENTICATED"));

    let created = admin
        .mutate_ok(CREATE_TOKEN, json!({ "name": "Next.js" }))
        .await?;
    shop.token = created["token"].as_str().map(str::to_owned);
    let allowed = shop.query(SHOP_QUERY, json!({})).await?;
    assert_eq!(allowed.status, 200);
    allowed.data();

    shop.token = Some("0123456789abcdef0123456789abcdef".into());
    assert_eq!(
        shop.query(SHOP_QUERY, json!({})).await?.status,
        401,
        "an unknown token"
    );

    // A second token, revoked before it is ever used, never works.
    let second = admin
        .mutate_ok(CREATE_TOKEN, json!({ "name": "old" }))
        .await?;
    admin
        .mutate_ok(
            REVOKE_TOKEN,
            json!({ "id": second["storefrontToken"]["id"] }),
        )
        .await?;
    shop.token = second["token"].as_str().map(str::to_owned);
    assert_eq!(
        shop.query(SHOP_QUERY, json!({})).await?.status,
        401,
        "a revoked token"
    );
    server.stop().await
}
e2e!(storefront_tokens_are_checked);

async fn answers_are_cached_apart_from_graphqls(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 3).await?;
    let shop = Storefront::new(&server);
    // The same text is valid on both endpoints and answered differently (ids).
    let core = server.graphql(SHOP_QUERY, json!({})).await?;
    let core_id = core.data()["products"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        let compat = shop.data(SHOP_QUERY, json!({})).await?;
        let id = compat["products"]["edges"][0]["node"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(id, format!("gid://shopgraph/Product/{core_id}"));
    }
    server.stop().await
}
e2e!(answers_are_cached_apart_from_graphqls);
