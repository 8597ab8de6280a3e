//! The cart through the Shopify-shaped endpoint: lines by `merchandiseId`, costs, the
//! `merchandise` union, the buyer, discount codes, and refusals answered as `userErrors`
//! beside the unchanged cart.

use super::{Storefront, nodes};
use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};

const CART: &str = "fragment cartFields on Cart {
  id checkoutUrl totalQuantity
  cost { subtotalAmount { amount currencyCode } totalAmount { amount currencyCode } totalTaxAmount { amount } }
  buyerIdentity { email countryCode }
  discountCodes { code applicable }
  lines(first: 100) { edges { node { id quantity
    cost { totalAmount { amount currencyCode } amountPerQuantity { amount } }
    merchandise { ... on ProductVariant { id title selectedOptions { name value }
      product { handle title } } } } } } }";

fn amount(money: &Value) -> f64 {
    money["amount"].as_str().unwrap().parse().unwrap()
}

/// The payload of a one-field mutation.
async fn mutate(
    shop: &Storefront<'_>,
    field_and_args: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let query = format!(
        "mutation{field_and_args} {{ cart {{ ...cartFields }} userErrors {{ code field message }} warnings {{ code }} }} }} {CART}"
    );
    let data = shop.data(&query, variables).await?;
    let (_, payload) = data.as_object().unwrap().iter().next().unwrap();
    Ok(payload.clone())
}

/// Variant ids (global) of the first products, with their prices.
async fn variants(shop: &Storefront<'_>) -> anyhow::Result<Vec<(String, f64)>> {
    let data = shop
        .data(
            "{ products(first: 5) { edges { node { variants(first: 1) { edges { node { id availableForSale price { amount } } } } } } } }",
            json!({}),
        )
        .await?;
    Ok(nodes(&data["products"])
        .iter()
        .flat_map(|p| nodes(&p["variants"]))
        .filter(|v| v["availableForSale"] == true)
        .map(|v| (v["id"].as_str().unwrap().to_owned(), amount(&v["price"])))
        .collect())
}

async fn a_cart_is_filled_changed_and_emptied(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 10).await?;
    let shop = Storefront::new(&server);
    let variants = variants(&shop).await?;
    let (first, first_price) = variants[0].clone();
    let (second, second_price) = variants[1].clone();

    let created = mutate(
        &shop,
        "($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines })",
        json!({ "lines": [{ "merchandiseId": first, "quantity": 2 }] }),
    )
    .await?;
    assert_eq!(created["userErrors"], json!([]));
    let cart = &created["cart"];
    let cart_id = cart["id"].as_str().unwrap().to_owned();
    assert!(cart_id.starts_with("gid://shopgraph/Cart/"), "{cart_id}");
    let uuid = cart_id.rsplit('/').next().unwrap();
    assert_eq!(
        cart["checkoutUrl"],
        format!("http://{}/checkout/{uuid}", server.addr),
        "the hosted checkout of this cart"
    );
    let checkout_page = server
        .http()
        .get(cart["checkoutUrl"].as_str().unwrap())
        .send()
        .await?;
    assert_eq!(checkout_page.status(), 200);
    assert_eq!(cart["totalQuantity"], 2);
    let lines = nodes(&cart["lines"]);
    assert_eq!(lines[0]["merchandise"]["id"], first.as_str());
    assert!(lines[0]["merchandise"]["product"]["handle"].is_string());
    assert_eq!(amount(&lines[0]["cost"]["totalAmount"]), first_price * 2.0);
    assert_eq!(amount(&cart["cost"]["subtotalAmount"]), first_price * 2.0);
    assert_eq!(cart["cost"]["totalAmount"]["currencyCode"], "USD");

    let added = mutate(
        &shop,
        "($cartId: ID!, $lines: [CartLineInput!]!) { cartLinesAdd(cartId: $cartId, lines: $lines)",
        json!({ "cartId": cart_id, "lines": [{ "merchandiseId": second, "quantity": 1 }] }),
    )
    .await?;
    assert_eq!(added["userErrors"], json!([]));
    assert_eq!(added["cart"]["totalQuantity"], 3);
    let subtotal = amount(&added["cart"]["cost"]["subtotalAmount"]);
    assert!((subtotal - (first_price * 2.0 + second_price)).abs() < 0.001);

    let line = nodes(&added["cart"]["lines"])
        .into_iter()
        .find(|l| l["merchandise"]["id"] == second.as_str())
        .unwrap();
    let updated = mutate(
        &shop,
        "($cartId: ID!, $lines: [CartLineUpdateInput!]!) { cartLinesUpdate(cartId: $cartId, lines: $lines)",
        json!({ "cartId": cart_id, "lines": [{ "id": line["id"], "merchandiseId": second, "quantity": 3 }] }),
    )
    .await?;
    assert_eq!(updated["userErrors"], json!([]));
    assert_eq!(updated["cart"]["totalQuantity"], 5);

    let removed = mutate(
        &shop,
        "($cartId: ID!, $lineIds: [ID!]!) { cartLinesRemove(cartId: $cartId, lineIds: $lineIds)",
        json!({ "cartId": cart_id, "lineIds": [line["id"]] }),
    )
    .await?;
    assert_eq!(removed["userErrors"], json!([]));
    assert_eq!(removed["cart"]["totalQuantity"], 2);

    let read = shop
        .query(
            &format!("query($id: ID!) {{ cart(id: $id) {{ ...cartFields }} }} {CART}"),
            json!({ "id": cart_id }),
        )
        .await?;
    assert_eq!(read.data()["cart"], removed["cart"]);
    server.stop().await
}
e2e!(a_cart_is_filled_changed_and_emptied);

async fn a_refused_change_returns_the_cart_as_it_was(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 10).await?;
    let shop = Storefront::new(&server);
    let variants = variants(&shop).await?;
    let created = mutate(
        &shop,
        "($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines })",
        json!({ "lines": [{ "merchandiseId": variants[0].0 }] }),
    )
    .await?;
    let before = created["cart"].clone();
    assert_eq!(before["totalQuantity"], 1, "quantity defaults to 1");

    // More than any stock: refused, and the storefront still gets the cart to show.
    let refused = mutate(
        &shop,
        "($cartId: ID!, $lines: [CartLineInput!]!) { cartLinesAdd(cartId: $cartId, lines: $lines)",
        json!({ "cartId": before["id"], "lines": [{ "merchandiseId": variants[1].0, "quantity": 999 }] }),
    )
    .await?;
    let errors = refused["userErrors"].as_array().unwrap();
    assert!(!errors.is_empty());
    assert!(errors[0]["message"].as_str().unwrap().len() > 5);
    assert_eq!(refused["cart"], before, "the cart comes back unchanged");

    let bad_code = mutate(
        &shop,
        "($cartId: ID!, $codes: [String!]) { cartDiscountCodesUpdate(cartId: $cartId, discountCodes: $codes)",
        json!({ "cartId": before["id"], "codes": ["NO-SUCH-CODE"] }),
    )
    .await?;
    assert_eq!(bad_code["userErrors"][0]["code"], "INVALID_DISCOUNT_CODE");
    assert_eq!(bad_code["cart"], before);

    // A refused code on a new cart: the cart exists (without the code) and comes back
    // beside the refusal, so the storefront can keep using it.
    let created_with_bad_code = mutate(
        &shop,
        "($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines, discountCodes: [\"NOPE\"] })",
        json!({ "lines": [{ "merchandiseId": variants[0].0 }] }),
    )
    .await?;
    assert_eq!(
        created_with_bad_code["userErrors"][0]["code"],
        "INVALID_DISCOUNT_CODE"
    );
    let kept = &created_with_bad_code["cart"];
    assert_eq!(kept["totalQuantity"], 1, "{created_with_bad_code}");
    assert_eq!(kept["discountCodes"], json!([]));

    // A product id where a variant id belongs is bad input, not a user error.
    let product = shop
        .data(
            "{ products(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await?;
    let wrong = shop
        .query(
            "mutation($cartId: ID!, $lines: [CartLineInput!]!) { cartLinesAdd(cartId: $cartId, lines: $lines) { cart { id } } }",
            json!({ "cartId": before["id"], "lines": [{ "merchandiseId": nodes(&product["products"])[0]["id"] }] }),
        )
        .await?;
    assert_eq!(wrong.error_code(), Some("BAD_USER_INPUT"));
    server.stop().await
}
e2e!(a_refused_change_returns_the_cart_as_it_was);

async fn buyer_identity_discount_codes_and_currency(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 10).await?;
    let admin = server.admin().await?;
    admin
        .mutate_ok(
            "mutation($input: DiscountCreateInput!) { discountCreate(input: $input) { discount { id } userErrors { field message code } } }",
            json!({ "input": { "code": "TENOFF", "kind": "PERCENTAGE", "value": 10 } }),
        )
        .await?;
    let shop = Storefront::new(&server);
    let variants = variants(&shop).await?;
    let created = mutate(
        &shop,
        "($lines: [CartLineInput!], $buyer: CartBuyerIdentityInput) { cartCreate(input: { lines: $lines, buyerIdentity: $buyer, discountCodes: [\"TENOFF\"] })",
        json!({ "lines": [{ "merchandiseId": variants[0].0, "quantity": 1 }], "buyer": { "countryCode": "DE" } }),
    )
    .await?;
    assert_eq!(created["userErrors"], json!([]));
    let cart = &created["cart"];
    assert_eq!(
        cart["cost"]["totalAmount"]["currencyCode"], "EUR",
        "a German buyer's cart is in euros"
    );
    assert_eq!(
        cart["discountCodes"],
        json!([{ "code": "TENOFF", "applicable": true }])
    );
    let undiscounted = mutate(
        &shop,
        "($lines: [CartLineInput!], $buyer: CartBuyerIdentityInput) { cartCreate(input: { lines: $lines, buyerIdentity: $buyer })",
        json!({ "lines": [{ "merchandiseId": variants[0].0, "quantity": 1 }], "buyer": { "countryCode": "DE" } }),
    )
    .await?;
    assert_eq!(
        undiscounted["cart"]["cost"]["subtotalAmount"],
        cart["cost"]["subtotalAmount"]
    );
    assert!(
        amount(&cart["cost"]["totalAmount"]) < amount(&undiscounted["cart"]["cost"]["totalAmount"]),
        "the code lowers the total"
    );

    let buyer = mutate(
        &shop,
        "($cartId: ID!, $buyer: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)",
        json!({ "cartId": cart["id"], "buyer": {
            "email": "ada@example.com",
            "deliveryAddressPreferences": [{ "deliveryAddress": {
                "firstName": "Ada", "lastName": "Lovelace", "address1": "1 Main St",
                "city": "Berlin", "zip": "10115", "country": "DE" } }] } }),
    )
    .await?;
    assert_eq!(buyer["userErrors"], json!([]));
    assert_eq!(
        buyer["cart"]["buyerIdentity"],
        json!({ "email": "ada@example.com", "countryCode": "DE" })
    );

    let bad = mutate(
        &shop,
        "($cartId: ID!, $buyer: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)",
        json!({ "cartId": cart["id"], "buyer": { "email": "not an email" } }),
    )
    .await?;
    assert!(!bad["userErrors"].as_array().unwrap().is_empty());
    assert_eq!(
        bad["cart"]["buyerIdentity"]["email"], "ada@example.com",
        "nothing changed"
    );
    server.stop().await
}
e2e!(buyer_identity_discount_codes_and_currency);
