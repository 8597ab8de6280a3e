//! The customer's account page (issue 18): profile, address book, password change and
//! reset, data export and deletion, end to end. On PostgreSQL the shop also uses Redis when
//! `TEST_REDIS_URL` is set (budgets and session revocations then go through it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod address_book;
mod passwords;
mod privacy;

use super::carts::Shop;
use e2e::{Backend, CartId, Client, TestRedis};
use serde_json::{Value, json};

/// Where mail links point.
const STOREFRONT: &str = "https://shop.example";

const CHECKOUT: &str = "mutation($cart: ID!) { checkoutComplete(cartId: $cart, idempotencyKey: \"k\") { order { id number email } userErrors { field code message } } }";

/// A shop for account tests: sign-in attempts unlimited (tests sign in often from one
/// address), Redis on PostgreSQL when available; `configure` applied last.
async fn open_shop(
    backend: Backend,
    configure: impl FnOnce(&mut shopgraph::config::Config),
) -> anyhow::Result<(Shop, Option<TestRedis>)> {
    let redis = (backend.name() == "postgres")
        .then(TestRedis::from_env)
        .flatten();
    let redis_config = redis.as_ref().map(|r| (r.url.clone(), r.namespace.clone()));
    let shop = Shop::open(backend, &[1500, 2500], |config| {
        config.auth.sign_in_attempts = 0;
        config.mail.storefront_url = STOREFRONT.parse().unwrap();
        if let Some((url, namespace)) = redis_config {
            config.cache.redis_url = Some(url);
            config.cache.redis_namespace = namespace;
        }
        configure(config);
    })
    .await?;
    Ok((shop, redis))
}

async fn finish(shop: Shop, redis: Option<TestRedis>) -> anyhow::Result<()> {
    shop.server.stop().await?;
    if let Some(redis) = redis {
        redis.cleanup().await?;
    }
    Ok(())
}

/// A mailing address with `tag` in each line, so a test can look for its strings.
fn address(tag: &str) -> Value {
    json!({
        "firstName": format!("{tag}first"),
        "lastName": format!("{tag}last"),
        "address1": format!("{tag} Road 1"),
        "address2": format!("{tag} Flat 2"),
        "city": "Springfield",
        "zip": "12345",
        "countryCode": "US",
        "phone": "+1 555 0100",
    })
}

/// `buyer` checks out item 0 with `email` and `shipping` on the cart; returns the order.
async fn place_order(
    shop: &Shop,
    buyer: &Client,
    email: &str,
    shipping: Value,
) -> anyhow::Result<Value> {
    let cart: CartId = shop
        .cart_of(buyer, &[(0, 1)])
        .buyer(json!({ "email": email, "shippingAddress": shipping }))
        .create()
        .await?;
    let placed = buyer
        .graphql(CHECKOUT, json!({ "cart": cart.to_string() }))
        .await?;
    let payload = &placed.data()["checkoutComplete"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    Ok(payload["order"].clone())
}
