//! Signing in with a guest cart merges it into the customer's cart.

use super::*;

const SIGN_IN: &str = "mutation($e: String!, $p: String!, $cart: ID) { tokenCreate(email: $e, password: $p, guestCartId: $cart) { accessToken cart { id totalQuantity lines { quantity variant { id } } } userErrors { code } } }";

async fn sign_in_with(shop: &Shop, email: &str, cart: CartId) -> anyhow::Result<Value> {
    let response = shop
        .guest
        .graphql(
            SIGN_IN,
            json!({ "e": email, "p": e2e::CUSTOMER_PASSWORD, "cart": cart.to_string() }),
        )
        .await?;
    let payload = response.data()["tokenCreate"].clone();
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    Ok(payload)
}

async fn signing_in_merges_the_guest_cart_capped_by_stock(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000, 2000, 3000], |_| {}).await?;
    let bob = shop.server.customer("bob@example.com").await?;
    // Bob's own cart: 6 of item 0 and 1 of item 1.
    let own_id = shop.cart_of(&bob, &[(0, 6), (1, 1)]).create().await?;
    // As a guest he added 7 of item 0 (10 in stock: capped at 10) and 2 of item 2.
    let guest = shop.cart_with(&[(0, 7), (2, 2)]).await?;

    let signed_in = sign_in_with(&shop, "bob@example.com", guest).await?;
    let cart = &signed_in["cart"];
    assert_eq!(cart["id"], own_id, "merged into his own cart");
    let quantities: Vec<(String, i64)> = cart["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["variant"]["id"].as_str().unwrap().to_owned(),
                l["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        quantities,
        [
            (shop.items[0].variant.to_string(), 10),
            (shop.items[1].variant.to_string(), 1),
            (shop.items[2].variant.to_string(), 2)
        ]
    );

    // The guest cart is closed: changing it is refused, reading it shows it converted.
    let again = shop.add(&shop.guest, &guest, shop.lines(&[(1, 1)])).await?;
    assert_eq!(refused(&again, "cartLinesAdd")[0]["code"], "CART_CONVERTED");
    let closed = shop.read(&shop.guest, &guest).await?;
    assert_eq!(closed["status"], "CONVERTED");
    assert_eq!(closed["lines"], json!([]));

    // Signing in again with the stale id changes nothing and still signs in.
    let later = sign_in_with(&shop, "bob@example.com", guest).await?;
    assert!(later["accessToken"].is_string());
    assert_eq!(later["cart"]["totalQuantity"], 13);
    shop.server.stop().await
}
e2e!(signing_in_merges_the_guest_cart_capped_by_stock);

async fn without_a_cart_of_their_own_the_guest_cart_becomes_theirs(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    shop.server.customer("carol@example.com").await?;
    let guest = shop.cart_with(&[(0, 2)]).await?;
    let signed_in = sign_in_with(&shop, "carol@example.com", guest).await?;
    assert_eq!(signed_in["cart"]["id"], guest);
    let carol = shop
        .server
        .viewer(signed_in["accessToken"].as_str().unwrap());
    let cart = shop.read(&carol, guest).await?;
    assert!(cart["buyerIdentity"]["customerId"].is_string());
    // Now hers: anonymous callers no longer see it.
    assert_eq!(shop.read(&shop.guest, guest).await?, Value::Null);
    shop.server.stop().await
}
e2e!(without_a_cart_of_their_own_the_guest_cart_becomes_theirs);
