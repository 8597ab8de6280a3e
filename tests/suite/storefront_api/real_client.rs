//! Shopify's official `@shopify/storefront-api-client` (npm) against the endpoint, as a
//! storefront team would point it: a product page, a collection page, add to cart, change
//! the quantity, remove the line (`tests/clients/storefront-client.mjs`).

use e2e::{Backend, TestServer, e2e, run_script};
use serde_json::{Value, json};

const CREATE_TOKEN: &str = "mutation($name: String!) { storefrontTokenCreate(name: $name) { token userErrors { field code message } } }";

async fn shopifys_own_client_runs_a_storefront(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::start(backend, 20, |config| {
        config.auth.admin_email = Some(e2e::ADMIN_EMAIL.into());
        config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.into());
        config.server.storefront_token_required = true;
    })
    .await?;
    let admin = server.admin().await?;
    let token = admin
        .mutate_ok(CREATE_TOKEN, json!({ "name": "storefront-api-client" }))
        .await?["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // A version the client itself lists as current (it warns about older ones).
    let args = [server.url(""), "2026-01".to_owned(), token];
    let Some(lines) = run_script("storefront-client.mjs", &args).await? else {
        return server.stop().await;
    };
    let step = |name: &str| -> Value {
        lines
            .iter()
            .find(|l| l["step"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} step in {lines:?}"))
    };
    let product = step("product");
    assert!(product["handle"].as_str().unwrap().len() > 3);
    assert!(product["variants"].as_u64().unwrap() >= 1);
    assert_eq!(product["currency"], "USD");
    let collection = step("collection");
    assert_eq!(collection["products"], 3);
    let added = step("added");
    assert_eq!(added["quantity"], 1);
    assert_eq!(added["merchandise"], true);
    assert_eq!(added["userErrors"], 0);
    let checkout = added["checkoutUrl"].as_str().unwrap();
    assert!(
        checkout.starts_with(&format!("http://{}/checkout/", server.addr)),
        "{checkout}"
    );
    let updated = step("updated");
    assert_eq!(updated["quantity"], 2);
    let unit: f64 = updated["unit"].as_str().unwrap().parse()?;
    let subtotal: f64 = updated["subtotal"].as_str().unwrap().parse()?;
    assert!((subtotal - 2.0 * unit).abs() < 0.001, "{updated}");
    let removed = step("removed");
    assert_eq!(
        removed,
        json!({ "step": "removed", "quantity": 0, "lines": 0 })
    );
    server.stop().await
}
e2e!(shopifys_own_client_runs_a_storefront);
