//! Whose cart is whose: guest carts by id, customer carts for their owner only.

use super::*;

async fn a_customers_cart_is_theirs_alone(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let alice = shop.server.customer("alice@example.com").await?;
    let mallory = shop.server.customer("mallory@example.com").await?;
    let created = shop
        .create(&alice, json!({ "lines": shop.lines(&[(0, 1)]) }))
        .await?;
    let cart = accepted(&created, "cartCreate");
    let id = cart["id"].as_str().unwrap().to_owned();
    assert!(
        cart["buyerIdentity"]["customerId"].is_string(),
        "owned by alice"
    );

    // Alice reads and changes it.
    assert_eq!(shop.read(&alice, &id).await?["id"], id.as_str());
    accepted(
        &shop.add(&alice, &id, shop.lines(&[(0, 1)])).await?,
        "cartLinesAdd",
    );

    // Mallory, and anonymous callers holding the id, see no such cart.
    for viewer in [&*mallory, &shop.guest] {
        assert_eq!(shop.read(viewer, &id).await?, Value::Null);
        let response = shop.add(viewer, &id, shop.lines(&[(0, 1)])).await?;
        let errors = refused(&response, "cartLinesAdd");
        assert_eq!(errors[0]["code"], "NOT_FOUND");
    }
    assert_eq!(
        shop.read(&alice, &id).await?["totalQuantity"],
        2,
        "unchanged by others"
    );

    // Guest carts work for anyone holding the id (signed in or not).
    let guest = shop.cart_with(&[(0, 1)]).await?;
    assert_eq!(shop.read(&mallory, guest).await?["id"], guest);
    shop.server.stop().await
}
e2e!(a_customers_cart_is_theirs_alone);

async fn buyer_details_are_validated_and_kept(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let id = shop.cart_with(&[(0, 1)]).await?;
    let update = mutation(
        "cartBuyerIdentityUpdate",
        "cartId: $cart, buyerIdentity: $buyer",
        "$cart: ID!, $buyer: CartBuyerIdentityInput!",
    );
    let address = json!({ "address1": "1 Main St", "city": "Springfield", "zip": "12345", "countryCode": "us" });
    let set = shop
        .guest
        .graphql(&update, json!({ "cart": id.to_string(), "buyer": { "email": " Jane@Example.COM ", "shippingAddress": address } }))
        .await?;
    let buyer = &accepted(&set, "cartBuyerIdentityUpdate")["buyerIdentity"];
    assert_eq!(buyer["email"], "jane@example.com");
    assert_eq!(buyer["shippingAddress"]["countryCode"], "US");
    assert!(
        buyer["billingAddress"].is_null(),
        "unset: bills the shipping address"
    );

    // A billing address of its own, checked like the shipping address.
    let billing = json!({ "address1": "2 Office Rd", "city": "Capital City", "zip": "54321", "countryCode": "ca" });
    let set = shop
        .guest
        .graphql(
            &update,
            json!({ "cart": id.to_string(), "buyer": { "billingAddress": billing } }),
        )
        .await?;
    let buyer = &accepted(&set, "cartBuyerIdentityUpdate")["buyerIdentity"];
    assert_eq!(buyer["billingAddress"]["countryCode"], "CA");
    assert_eq!(
        buyer["shippingAddress"]["city"], "Springfield",
        "the shipping address stays"
    );
    let bad_billing = shop
        .guest
        .graphql(&update, json!({ "cart": id.to_string(), "buyer": { "billingAddress": { "address1": "x", "city": "", "zip": "1", "countryCode": "1" } } }))
        .await?;
    let errors = refused(&bad_billing, "cartBuyerIdentityUpdate");
    let fields: Vec<&Value> = errors.iter().map(|e| &e["field"]).collect();
    assert_eq!(
        fields,
        [
            &json!(["buyerIdentity", "billingAddress", "city"]),
            &json!(["buyerIdentity", "billingAddress", "countryCode"])
        ],
        "{errors:?}"
    );

    let bad = shop
        .guest
        .graphql(
            &update,
            json!({ "cart": id.to_string(), "buyer": { "email": "not an email", "shippingAddress": { "address1": " ", "city": "X", "zip": "1", "countryCode": "USA" } } }),
        )
        .await?;
    let errors = refused(&bad, "cartBuyerIdentityUpdate");
    let fields: Vec<String> = errors
        .iter()
        .map(|e| {
            e["field"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(fields, ["email", "address1", "countryCode"], "{errors:?}");
    assert_eq!(
        shop.read(&shop.guest, id).await?["buyerIdentity"]["email"],
        "jane@example.com"
    );
    shop.server.stop().await
}
e2e!(buyer_details_are_validated_and_kept);
