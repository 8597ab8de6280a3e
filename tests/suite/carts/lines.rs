//! Adding, changing and removing lines, and every way a line can be refused.

use super::*;
use entities::product;

async fn a_guest_fills_a_cart(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1999, 500], |_| {}).await?;
    let created = shop
        .create(&shop.guest, json!({ "lines": shop.lines(&[(0, 2)]) }))
        .await?;
    let cart = accepted(&created, "cartCreate");
    let id = cart["id"].as_str().unwrap().to_owned();
    assert_eq!(cart["currencyCode"], "USD");
    assert_eq!(cart["status"], "ACTIVE");
    assert_eq!(
        cart["buyerIdentity"]["customerId"],
        Value::Null,
        "a guest cart"
    );
    assert_eq!(cart["lines"][0]["quantity"], 2);
    assert_eq!(amount(&cart["lines"][0]["cost"]["unitPrice"]), "19.99");
    assert_eq!(amount(&cart["lines"][0]["cost"]["subtotal"]), "39.98");

    // The same variant again adds to its line; a new one makes a second line.
    let added = shop
        .add(&shop.guest, &id, shop.lines(&[(0, 1), (1, 3)]))
        .await?;
    let cart = accepted(&added, "cartLinesAdd");
    let lines = cart["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["quantity"], 3);
    assert_eq!(lines[1]["quantity"], 3);
    assert_eq!(cart["totalQuantity"], 6);
    assert_eq!(amount(&cart["cost"]["subtotal"]), "74.97");
    assert_eq!(cart["readyForCheckout"], true);

    // Update one line, remove the other with quantity 0.
    let first = lines[0]["id"].as_str().unwrap();
    let second = lines[1]["id"].as_str().unwrap();
    let update = mutation(
        "cartLinesUpdate",
        "cartId: $cart, lines: $lines",
        "$cart: ID!, $lines: [CartLineUpdateInput!]!",
    );
    let updated = shop
        .guest
        .graphql(
            &update,
            json!({ "cart": id, "lines": [{ "id": first, "quantity": 1 }, { "id": second, "quantity": 0 }] }),
        )
        .await?;
    let cart = accepted(&updated, "cartLinesUpdate");
    assert_eq!(cart["lines"].as_array().unwrap().len(), 1);
    assert_eq!(cart["totalQuantity"], 1);

    let remove = mutation(
        "cartLinesRemove",
        "cartId: $cart, lineIds: $ids",
        "$cart: ID!, $ids: [ID!]!",
    );
    let removed = shop
        .guest
        .graphql(&remove, json!({ "cart": id, "ids": [first] }))
        .await?;
    let cart = accepted(&removed, "cartLinesRemove");
    assert_eq!(cart["lines"], json!([]));
    assert_eq!(
        amount(&cart["cost"]["total"]),
        "0.00",
        "an empty cart costs nothing"
    );
    assert_eq!(cart["readyForCheckout"], false);

    // What the mutations answered is what a later read shows.
    assert_eq!(shop.read(&shop.guest, &id).await?, *cart);
    shop.server.stop().await
}
e2e!(a_guest_fills_a_cart);

async fn refused_lines_change_nothing(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000, 2000], |config| {
        config.commerce.max_cart_lines = 2
    })
    .await?;
    let id = shop.cart_with(&[(0, 1)]).await?;
    let before = shop.read(&shop.guest, &id).await?;

    let unknown = Uuid::now_v7().to_string();
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!([{ "variantId": shop.items[0].variant.to_string(), "quantity": 0 }]),
            "INVALID",
            "quantity",
        ),
        (
            json!([{ "variantId": shop.items[0].variant.to_string(), "quantity": -3 }]),
            "INVALID",
            "quantity",
        ),
        (
            json!([{ "variantId": shop.items[0].variant.to_string(), "quantity": 1000 }]),
            "INVALID",
            "quantity",
        ),
        (
            json!([{ "variantId": unknown, "quantity": 1 }]),
            "NOT_FOUND",
            "variantId",
        ),
        // 10 in stock, 1 already in the cart.
        (
            json!([{ "variantId": shop.items[0].variant.to_string(), "quantity": 10 }]),
            "OUT_OF_STOCK",
            "quantity",
        ),
        // One good line and one bad: neither is added.
        (
            json!([{ "variantId": shop.items[1].variant.to_string(), "quantity": 1 }, { "variantId": shop.items[0].variant.to_string(), "quantity": 0 }]),
            "INVALID",
            "quantity",
        ),
    ];
    for (lines, code, leaf) in cases {
        let response = shop.add(&shop.guest, &id, lines.clone()).await?;
        let errors = refused(&response, "cartLinesAdd");
        assert_eq!(errors[0]["code"], code, "{lines}: {errors:?}");
        assert_eq!(
            errors[0]["field"].as_array().unwrap().last().unwrap(),
            leaf,
            "{errors:?}"
        );
    }
    let out_of_stock = shop
        .add(
            &shop.guest,
            &id,
            json!([{ "variantId": shop.items[0].variant.to_string(), "quantity": 10 }]),
        )
        .await?;
    assert_eq!(
        refused(&out_of_stock, "cartLinesAdd")[0]["message"],
        "only 10 available (the cart already has 1)",
        "the message says how many more can be had"
    );

    // Not for sale: an archived product; not priced: no EUR price; too many lines.
    let archived = product::Entity::find_by_id(shop.items[1].product.uuid())
        .one(&shop.db)
        .await?
        .unwrap();
    let mut archiving: product::ActiveModel = archived.into();
    archiving.status = Set(ProductStatus::Archived);
    archiving.update(&shop.db).await?;
    let response = shop.add(&shop.guest, &id, shop.lines(&[(1, 1)])).await?;
    let errors = refused(&response, "cartLinesAdd");
    assert_eq!(errors[0]["code"], "INVALID");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("not for sale"),
        "{errors:?}"
    );

    let euro = shop
        .create(
            &shop.guest,
            json!({ "currencyCode": "EUR", "lines": shop.lines(&[(0, 1)]) }),
        )
        .await?;
    let errors = refused(&euro, "cartCreate");
    assert!(
        errors[0]["message"].as_str().unwrap().contains("EUR"),
        "{errors:?}"
    );
    assert_eq!(errors[0]["field"], json!(["input.lines", "0", "variantId"]));

    assert_eq!(
        shop.read(&shop.guest, &id).await?,
        before,
        "nothing changed"
    );

    // Malformed ids are request errors, not user errors.
    let malformed = shop
        .add(&shop.guest, "not-a-uuid", shop.lines(&[(0, 1)]))
        .await?;
    assert_eq!(malformed.error_code(), Some("BAD_USER_INPUT"));
    let missing = shop
        .add(&shop.guest, Uuid::new_v4(), shop.lines(&[(0, 1)]))
        .await?;
    assert_eq!(refused(&missing, "cartLinesAdd")[0]["code"], "NOT_FOUND");
    shop.server.stop().await
}
e2e!(refused_lines_change_nothing);

async fn carts_hold_a_limited_number_of_lines(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[100, 200, 300], |config| {
        config.commerce.max_cart_lines = 2
    })
    .await?;
    let id = shop.cart_with(&[(0, 1), (1, 1)]).await?;
    let third = shop.add(&shop.guest, &id, shop.lines(&[(2, 1)])).await?;
    let errors = refused(&third, "cartLinesAdd");
    assert_eq!(errors[0]["field"], json!(["lines"]));
    assert!(errors[0]["message"].as_str().unwrap().contains("at most 2"));
    // More of a variant already in the cart is fine.
    accepted(
        &shop.add(&shop.guest, &id, shop.lines(&[(1, 2)])).await?,
        "cartLinesAdd",
    );
    shop.server.stop().await
}
e2e!(carts_hold_a_limited_number_of_lines);

async fn lines_that_lost_their_stock_are_flagged_not_dropped(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1500, 800], |_| {}).await?;
    let id = shop.cart_with(&[(0, 4), (1, 1)]).await?;
    shop.set_stock(0, 2).await?;
    let cart = shop.read(&shop.guest, &id).await?;
    let line = &cart["lines"][0];
    assert_eq!(line["quantity"], 4, "kept as the shopper left it");
    assert_eq!(line["quantityAvailable"], 2);
    assert_eq!(line["availableForSale"], false);
    assert_eq!(line["problem"], "INSUFFICIENT_STOCK");
    assert_eq!(cart["lines"][1]["problem"], Value::Null);
    assert_eq!(cart["readyForCheckout"], false);

    // Raising it is refused; lowering it, even to more than is available, is allowed.
    let line_id = line["id"].as_str().unwrap();
    let update = mutation(
        "cartLinesUpdate",
        "cartId: $cart, lines: $lines",
        "$cart: ID!, $lines: [CartLineUpdateInput!]!",
    );
    let raise = shop
        .guest
        .graphql(
            &update,
            json!({ "cart": id.to_string(), "lines": [{ "id": line_id, "quantity": 5 }] }),
        )
        .await?;
    assert_eq!(
        refused(&raise, "cartLinesUpdate")[0]["code"],
        "OUT_OF_STOCK"
    );
    let lower = shop
        .guest
        .graphql(
            &update,
            json!({ "cart": id.to_string(), "lines": [{ "id": line_id, "quantity": 3 }] }),
        )
        .await?;
    assert_eq!(
        accepted(&lower, "cartLinesUpdate")["lines"][0]["quantity"],
        3
    );
    let fits = shop
        .guest
        .graphql(
            &update,
            json!({ "cart": id.to_string(), "lines": [{ "id": line_id, "quantity": 2 }] }),
        )
        .await?;
    let cart = accepted(&fits, "cartLinesUpdate");
    assert_eq!(cart["lines"][0]["problem"], Value::Null);
    assert_eq!(cart["readyForCheckout"], true);
    shop.server.stop().await
}
e2e!(lines_that_lost_their_stock_are_flagged_not_dropped);

async fn adding_to_a_cart_costs_few_statements(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend.clone(), &[1000, 2000, 3000], |_| {}).await?;
    let id = shop.cart_with(&[(0, 1), (1, 1)]).await?;
    let added = shop
        .add(&shop.guest, &id, shop.lines(&[(2, 1), (0, 1)]))
        .await?;
    accepted(&added, "cartLinesAdd");
    let statements = added.sql_statements.unwrap();
    eprintln!(
        "cartLinesAdd on {}: {statements} statements",
        backend.name()
    );
    // Lock and touch the cart, its lines with the variants (theirs and the added ones) and
    // their products, prices and availability (one read), one upsert for all lines, the
    // shipping configuration: 4, however many lines.
    assert!(statements <= 4, "cartLinesAdd took {statements} statements");
    shop.server.stop().await
}
e2e!(adding_to_a_cart_costs_few_statements);
