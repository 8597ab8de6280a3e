//! The hosted checkout over plain HTTP, as a browser without JavaScript uses it.

use super::*;
use e2e::{Backend, e2e};
use entities::order;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const ADDRESS: &[(&str, &str)] = &[
    ("email", "buyer@example.com"),
    ("firstName", "Ada"),
    ("lastName", "Lovelace <b>"),
    ("address1", "1 Analytical Way"),
    ("city", "London"),
    ("zip", "N1 9GU"),
    ("countryCode", "gb"),
];

fn with<'a>(base: &[(&'a str, &'a str)], more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    base.iter().chain(more).copied().collect()
}

async fn the_checkout_page_places_one_order_step_by_step(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000, 2500], |_| {}).await?;
    let cart = shop.cart_with(&[(0, 2), (1, 1)]).await?;
    let url = shop.checkout_url(cart).await?;
    assert_eq!(url, shop.server.url(&format!("/checkout/{cart}")));

    // The page: the cart's lines and totals as `/graphql` prices them, every form, a strict
    // policy.
    let page = shop.get_page(&format!("/checkout/{cart}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.csp.contains("default-src 'none'") && page.csp.contains("script-src 'self'"));
    assert!(!page.csp.contains("unsafe-inline"), "{}", page.csp);
    assert!(page.rate_limit.is_some(), "counted like /graphql");
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("Item 0") && page.body.contains("Item 1"));
    assert!(
        page.body.contains("45.00 USD"),
        "the subtotal: {}",
        page.body
    );
    assert!(
        !page.body.contains("<script"),
        "the checkout needs no script"
    );
    for label in [
        "for=\"email\"",
        "for=\"address1\"",
        "for=\"city\"",
        "for=\"zip\"",
    ] {
        assert!(page.body.contains(label), "{label}");
    }
    let token = input_value(&page.body, "token");
    let key = input_value(&page.body, "idempotencyKey");

    // Without the form token, or with another cart's, nothing changes.
    let forged = shop
        .post_form(cart, &with(ADDRESS, &[("action", "details")]))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let other = shop.cart_with(&[(0, 1)]).await?;
    let other_token = input_value(
        &shop.get_page(&format!("/checkout/{other}")).await.body,
        "token",
    );
    let foreign = shop
        .post_form(
            cart,
            &with(ADDRESS, &[("action", "details"), ("token", &other_token)]),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(
        foreign.body.contains("<h1>"),
        "an HTML page: {}",
        foreign.body
    );

    // Bad input: every error beside its field, what was typed kept, the cart unchanged.
    let bad = shop
        .post_form(
            cart,
            &[
                ("token", &token),
                ("action", "details"),
                ("email", "not an email"),
                ("address1", "1 Analytical Way"),
                ("city", ""),
                ("zip", "N1 9GU"),
                ("countryCode", "GB"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("role=\"alert\""));
    assert!(
        bad.body
            .contains("aria-describedby=\"email-hint email-error\""),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("id=\"email-error\""));
    assert!(bad.body.contains("aria-describedby=\"city-error\""));
    assert!(
        bad.body.contains("href=\"#city\""),
        "the summary links to the field"
    );
    assert!(
        bad.body.contains("value=\"not an email\""),
        "what was typed is kept"
    );
    let unchanged = shop.read(&shop.guest, cart).await?;
    assert_eq!(unchanged["buyerIdentity"]["email"], json!(null));
    assert_eq!(unchanged["buyerIdentity"]["shippingAddress"], json!(null));

    // Good input: saved, then 303 back to the page (Post/Redirect/Get).
    let saved = shop
        .post_form(
            cart,
            &with(ADDRESS, &[("action", "details"), ("token", &token)]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let location = saved.location.unwrap();
    assert_eq!(location, format!("/checkout/{cart}?done=details"));
    let after = shop.get_page(&location).await;
    assert!(after.body.contains("were saved"));
    assert!(
        after.body.contains("value=\"Lovelace &lt;b&gt;\""),
        "escaped: {}",
        after.body
    );
    let read = shop.read(&shop.guest, cart).await?;
    assert_eq!(read["buyerIdentity"]["email"], "buyer@example.com");
    assert_eq!(
        read["buyerIdentity"]["shippingAddress"]["countryCode"],
        "GB"
    );

    // Shipping: the cart's methods (the built-in flat rate without zones); anything else is
    // refused beside the method field.
    assert!(after.body.contains("value=\"flat-rate\""), "{}", after.body);
    let unknown = shop
        .post_form(
            cart,
            &[
                ("token", &token),
                ("action", "shipping"),
                ("shippingMethod", "teleport"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("id=\"shippingMethod-error\""));
    let shipping = shop
        .post_form(
            cart,
            &[
                ("token", &token),
                ("action", "shipping"),
                ("shippingMethod", "flat-rate"),
            ],
        )
        .await;
    assert_eq!(shipping.status, StatusCode::SEE_OTHER, "{}", shipping.body);

    // A code that does not exist: the service's refusal, beside the code field.
    let code = shop
        .post_form(
            cart,
            &[
                ("token", &token),
                ("action", "discount"),
                ("discountCode", "NOPE"),
            ],
        )
        .await;
    assert_eq!(code.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(code.body.contains("id=\"discountCode-error\""));
    assert!(code.body.contains("this discount code cannot be used"));

    // Paying, twice at once with the same page's key (a double click): one order.
    let pay = [
        ("token", token.as_str()),
        ("action", "pay"),
        ("idempotencyKey", key.as_str()),
        ("provider", "test"),
        ("card", "tok_visa"),
    ];
    let (first, second) = tokio::join!(shop.post_form(cart, &pay), shop.post_form(cart, &pay));
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    let orders = order::Entity::find()
        .filter(order::Column::CartId.eq(cart.uuid()))
        .count(&shop.db)
        .await?;
    assert_eq!(orders, 1);
    let placed = order::Entity::find()
        .filter(order::Column::CartId.eq(cart.uuid()))
        .one(&shop.db)
        .await?
        .unwrap();
    let status_path = first.location.unwrap();
    let prefix = format!("/orders/{}?key=ok_", placed.number);
    assert!(status_path.starts_with(&prefix), "{status_path}");
    assert!(second.location.unwrap().starts_with(&prefix));

    // The status page: number, statuses, lines, totals, address; the live script.
    let status = shop.get_page(&status_path).await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.body);
    assert!(status.body.contains(&format!(
        "<span id=\"order-number\">{}</span>",
        placed.number
    )));
    assert!(
        status.body.contains("data-value=\"PAID\">Paid</dd>"),
        "{}",
        status.body
    );
    assert!(status.body.contains("Unfulfilled"));
    assert!(status.body.contains("ITEM-0") && status.body.contains("ITEM-1"));
    assert!(status.body.contains("London"));
    assert!(status.body.contains("aria-live=\"polite\""));
    assert!(
        status
            .body
            .contains("src=\"/checkout-assets/order-status.js\"")
    );
    assert!(!status.csp.contains("unsafe-inline"));
    let script = shop.get_page("/checkout-assets/order-status.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("graphql-transport-ws"));

    // The order's id names it as well as its number; a wrong key, none, or the right key
    // under another order's name open nothing.
    let key_part = status_path.split_once("?key=").unwrap().1;
    let by_id = shop
        .get_page(&format!("/orders/{}?key={key_part}", placed.id))
        .await;
    assert_eq!(by_id.status, StatusCode::OK);
    let wrong_key = format!("ok_{}", "A".repeat(32));
    for refused in [
        format!("/orders/{}?key={wrong_key}", placed.number),
        format!("/orders/{}", placed.number),
        format!("/orders/{}?key={key_part}", placed.number + 1),
    ] {
        let page = shop.get_page(&refused).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{refused}");
        assert!(!page.body.contains("ITEM-0"), "{refused}");
    }

    // The cart is spent: its page says so and names the order; unknown carts are 404.
    let spent = shop.get_page(&format!("/checkout/{cart}")).await;
    assert_eq!(spent.status, StatusCode::GONE);
    assert!(spent.body.contains("already checked out"));
    assert!(spent.body.contains(&format!("order {}", placed.number)));
    let late = shop
        .post_form(
            cart,
            &with(ADDRESS, &[("action", "details"), ("token", &token)]),
        )
        .await;
    assert_eq!(late.status, StatusCode::GONE, "{}", late.body);
    for missing in [
        format!("/checkout/{}", uuid::Uuid::new_v4()),
        "/checkout/not-a-cart".to_owned(),
    ] {
        let page = shop.get_page(&missing).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{missing}");
        assert!(page.body.contains("Cart not found"));
    }
    Ok(())
}
e2e!(the_checkout_page_places_one_order_step_by_step);

async fn a_declined_card_is_shown_and_a_new_page_pays(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let cart = shop
        .cart_of(&shop.guest, &[(0, 1)])
        .ready()
        .create()
        .await?;
    let page = shop.get_page(&format!("/checkout/{cart}")).await;
    let token = input_value(&page.body, "token");
    let key = input_value(&page.body, "idempotencyKey");
    let declined = shop
        .post_form(
            cart,
            &[
                ("token", &token),
                ("action", "pay"),
                ("idempotencyKey", &key),
                ("provider", "test"),
                ("card", "tok_declined"),
            ],
        )
        .await;
    assert_eq!(
        declined.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        declined.body
    );
    assert!(
        declined.body.contains("id=\"payment-error\""),
        "{}",
        declined.body
    );
    assert!(declined.body.contains("aria-describedby=\"payment-error\""));
    // The page drew a new key, so the retry is a new attempt (the old key names the
    // cancelled order).
    let retry_key = input_value(&declined.body, "idempotencyKey");
    assert_ne!(retry_key, key);
    let paid = shop
        .post_form(
            cart,
            &[
                ("token", &token),
                ("action", "pay"),
                ("idempotencyKey", &retry_key),
                ("provider", "manual"),
            ],
        )
        .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    let status = shop.get_page(&paid.location.unwrap()).await;
    assert!(
        status.body.contains("data-value=\"PENDING\">Pending</dd>"),
        "{}",
        status.body
    );
    // A provider the page does not offer is refused beside the payment choice.
    let other = shop
        .cart_of(&shop.guest, &[(0, 1)])
        .ready()
        .create()
        .await?;
    let other_page = shop.get_page(&format!("/checkout/{other}")).await;
    let stripe = shop
        .post_form(
            other,
            &[
                ("token", &input_value(&other_page.body, "token")),
                ("action", "pay"),
                ("idempotencyKey", "k"),
                ("provider", "stripe"),
            ],
        )
        .await;
    assert_eq!(stripe.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stripe.body.contains("choose how to pay"));
    Ok(())
}
e2e!(a_declined_card_is_shown_and_a_new_page_pays);

async fn discount_codes_are_added_and_removed_on_the_page(backend: Backend) -> anyhow::Result<()> {
    use entities::enums::DiscountKind;
    use sea_orm::ActiveModelTrait;
    let shop = Shop::open(backend, &[2000], |_| {}).await?;
    shop.discount("FIVE", DiscountKind::FixedAmount, 500)
        .await?
        .insert(&shop.db)
        .await?;
    let cart = shop.cart_with(&[(0, 1)]).await?;
    let token = input_value(
        &shop.get_page(&format!("/checkout/{cart}")).await.body,
        "token",
    );

    let added = shop
        .post_form(
            cart,
            &[
                ("token", &token),
                ("action", "discount"),
                ("discountCode", " five "),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = shop.get_page(&added.location.unwrap()).await;
    assert!(
        page.body.contains("<span class=\"code\">FIVE</span>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("−5.00 USD"), "the cart's discount total");
    assert_eq!(
        shop.read(&shop.guest, cart).await?["cost"]["discountTotal"]["amount"],
        "5.00"
    );

    // A browser's report that the post came from another site is refused, token or not.
    let cross_site = browser()
        .post(shop.server.url(&format!("/checkout/{cart}")))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("token", token.as_str()),
            ("action", "remove_discount"),
            ("code", "FIVE"),
        ])
        .send()
        .await?;
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);

    let removed = shop
        .post_form(
            cart,
            &[
                ("token", &token),
                ("action", "remove_discount"),
                ("code", "FIVE"),
            ],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let read = shop.read(&shop.guest, cart).await?;
    assert_eq!(read["discountCodes"], json!([]));

    // The server's body limit holds here too: it answers 413, or, when it refused before the
    // client finished writing the 2 MiB, the client sees the connection closed mid-body.
    // Either way nothing was stored.
    let before = shop.read(&shop.guest, cart).await?;
    let huge = "x".repeat(2 * 1024 * 1024);
    let too_big = browser()
        .post(shop.server.url(&format!("/checkout/{cart}")))
        .form(&[
            ("token", token.as_str()),
            ("action", "details"),
            ("email", &huge),
        ])
        .send()
        .await;
    match too_big {
        Ok(response) => assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE),
        Err(err) => assert!(err.is_request(), "not a refusal mid-body: {err:?}"),
    }
    let after = shop.read(&shop.guest, cart).await?;
    assert_eq!(after["buyerIdentity"], before["buyerIdentity"]);
    Ok(())
}
e2e!(discount_codes_are_added_and_removed_on_the_page);

async fn production_pages_offer_no_test_cards(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |config| {
        config.server.production = true;
        config.auth.jwt_secret = "a production secret of at least 32 bytes".parse().ok();
    })
    .await?;
    let cart = shop
        .cart_of(&shop.guest, &[(0, 1)])
        .ready()
        .create()
        .await?;
    let page = shop.get_page(&format!("/checkout/{cart}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"provider-manual\""));
    assert!(!page.body.contains("provider-test") && !page.body.contains("tok_visa"));
    let test_card = shop
        .post_form(
            cart,
            &[
                ("token", &input_value(&page.body, "token")),
                ("action", "pay"),
                ("idempotencyKey", &input_value(&page.body, "idempotencyKey")),
                ("provider", "test"),
                ("card", "tok_visa"),
            ],
        )
        .await;
    assert_eq!(test_card.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(test_card.body.contains("choose how to pay"));
    let orders = order::Entity::find()
        .filter(order::Column::CartId.eq(cart.uuid()))
        .count(&shop.db)
        .await?;
    assert_eq!(orders, 0);

    // Nor does the API: in production the test provider is off (PAYMENT_TEST_PROVIDER turns
    // it on for a staging server), so its cards cannot mark an order paid.
    let refused = shop
        .server
        .graphql(
            "mutation($cart: ID!, $payment: PaymentInput) { checkoutComplete(cartId: $cart, idempotencyKey: \"k\", payment: $payment) { order { id } userErrors { field code message } } }",
            json!({ "cart": cart.to_string(), "payment": { "provider": "test", "token": "tok_visa" } }),
        )
        .await?;
    let payload = &refused.data()["checkoutComplete"];
    assert_eq!(payload["order"], serde_json::Value::Null);
    assert_eq!(
        payload["userErrors"][0]["field"],
        json!(["payment", "provider"])
    );
    assert!(
        !payload["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("test"),
        "the test provider is not offered: {payload}"
    );
    Ok(())
}
e2e!(production_pages_offer_no_test_cards);
