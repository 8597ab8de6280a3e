//! Placing orders: the happy path, payments, refusals, idempotency and snapshots.

use super::*;
use e2e::{BUYER_EMAIL, OrderAction};
use entities::enums::DiscountKind;
use entities::{cart, product, variant_price};
use sea_orm::{ActiveModelTrait, Set};

async fn a_guest_checks_out_and_gets_a_snapshot_order(backend: Backend) -> anyhow::Result<()> {
    let tax_rate = "10".parse()?;
    let shop = Shop::open(backend, &[1999, 500, 250], move |config| {
        config.commerce.tax_rate = tax_rate;
    })
    .await?;
    shop.discount("TENPC", DiscountKind::Percentage, 1000)
        .await?
        .insert(&shop.db)
        .await?;
    let cart = shop.ready_cart(&[(0, 2), (1, 1), (2, 4)]).await?;
    accepted(
        &shop.codes(&cart, &["tenpc"]).await?,
        "cartDiscountCodesUpdate",
    );
    let before = shop.read(&shop.guest, &cart).await?["cost"].clone();

    let response = shop
        .checkout(&shop.guest, &cart, "key-1", Value::Null)
        .await?;
    let order = placed(&response).clone();
    eprintln!(
        "checkoutComplete, 3 lines + discount: {} statements",
        response.sql_statements.unwrap_or_default()
    );
    assert_eq!(order["status"], "PLACED", "manual payment: waits for staff");
    assert_eq!(order["email"], BUYER_EMAIL);
    assert_eq!(order["customerId"], Value::Null);
    assert_eq!(order["discountCode"], "TENPC");
    // 39.98 + 5.00 + 10.00 = 54.98; −10 % = 5.50 → 49.48; free shipping over 50? No: 49.48
    // is below 50.00, so 5.00 shipping; tax 10 % of 49.48 = 4.948 → 4.95.
    assert_eq!(amount(&order["subtotal"]), "54.98");
    assert_eq!(amount(&order["discountTotal"]), "5.50");
    assert_eq!(amount(&order["shippingTotal"]), "5.00");
    assert_eq!(amount(&order["taxTotal"]), "4.95");
    assert_eq!(amount(&order["total"]), "59.43");
    assert_eq!(
        amount(&order["total"]),
        amount(&before["total"]),
        "the cart's total"
    );
    assert_eq!(order["lines"].as_array().unwrap().len(), 3);
    assert_eq!(order["lines"][0]["quantity"], 2);
    assert_eq!(amount(&order["lines"][0]["unitPrice"]), "19.99");
    assert_eq!(amount(&order["lines"][0]["total"]), "39.98");
    assert_eq!(order["events"][0]["kind"], "PLACED");
    assert_eq!(order["events"][0]["toStatus"], "PLACED");
    assert_eq!(order["payments"][0]["provider"], "manual");
    assert_eq!(order["payments"][0]["status"], "PENDING");
    assert!(order["shippingAddress"]["city"].is_string());
    assert_eq!(
        order["billingAddress"], order["shippingAddress"],
        "no billing address given: the shipping address is billed"
    );
    assert_eq!(shop.stock_of(0).await?, (10, 2), "two units allocated");

    // The cart is closed; the same key answers with the same order; another key is refused.
    assert_eq!(shop.read(&shop.guest, &cart).await?["status"], "CONVERTED");
    let again = shop
        .checkout(&shop.guest, &cart, "key-1", Value::Null)
        .await?;
    assert_eq!(placed(&again)["id"], order["id"]);
    let other = shop
        .checkout(&shop.guest, &cart, "key-2", Value::Null)
        .await?;
    assert_eq!(checkout_errors(&other)[0]["code"], "CART_CONVERTED");
    assert_eq!(shop.stock_of(0).await?, (10, 2), "nothing allocated twice");

    // Renaming, repricing and deleting the products later leaves the order as it was.
    let sku = order["lines"][0]["sku"].clone();
    let renamed = product::Entity::find_by_id(shop.items[0].product.uuid())
        .one(&shop.db)
        .await?
        .unwrap();
    let mut renaming: product::ActiveModel = renamed.into();
    renaming.name = Set("Renamed".to_owned());
    renaming.update(&shop.db).await?;
    variant_price::Entity::update_many()
        .col_expr(
            variant_price::Column::Amount,
            sea_orm::sea_query::Expr::value(1_i64),
        )
        .exec(&shop.db)
        .await?;
    let query = format!("query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}");
    let read = shop
        .admin
        .graphql(&query, json!({ "id": order["id"] }))
        .await?;
    assert_eq!(
        read.data()["order"]["lines"],
        order["lines"],
        "lines are a snapshot"
    );
    assert_eq!(read.data()["order"]["lines"][0]["sku"], sku);
    assert_eq!(amount(&read.data()["order"]["total"]), "59.43");

    // Shipped, the product can be deleted; the order keeps every line as bought.
    for step in [OrderAction::MarkPaid, OrderAction::Fulfill] {
        let moved = shop.admin.order_action(step, order_id(&order)).await?;
        assert_eq!(moved["userErrors"], json!([]), "{step:?}");
    }
    shop.admin
        .mutate_ok(
            "mutation($id: ID!) { productDelete(id: $id) { userErrors { code message } } }",
            json!({ "id": shop.items[0].product.to_string() }),
        )
        .await?;
    let read = shop
        .admin
        .graphql(&query, json!({ "id": order["id"] }))
        .await?;
    let lines = read.data()["order"]["lines"].as_array().unwrap().clone();
    assert_eq!(lines[0]["variantId"], Value::Null, "the variant is gone");
    for (after, before) in lines.iter().zip(order["lines"].as_array().unwrap()) {
        for field in [
            "sku",
            "productName",
            "variantName",
            "quantity",
            "unitPrice",
            "total",
        ] {
            assert_eq!(after[field], before[field], "{field}");
        }
    }
    shop.server.stop().await
}
e2e!(a_guest_checks_out_and_gets_a_snapshot_order);

async fn the_test_provider_pays_or_declines(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[3000], |_| {}).await?;
    let mut limited = shop
        .discount("ONCE", DiscountKind::FixedAmount, 500)
        .await?;
    limited.usage_limit = Set(Some(1));
    limited.insert(&shop.db).await?;

    let paid_cart = shop.ready_cart(&[(0, 1)]).await?;
    let paid = shop
        .checkout(
            &shop.guest,
            &paid_cart,
            "k",
            json!({ "provider": "test", "token": "tok_visa" }),
        )
        .await?;
    let order = placed(&paid);
    assert_eq!(order["status"], "PAID");
    assert_eq!(order["payments"][0]["status"], "PAID");
    assert!(
        order["payments"][0]["reference"]
            .as_str()
            .unwrap()
            .starts_with("test_")
    );
    let kinds: Vec<&str> = order["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["PLACED", "PAID"]);

    // Declined: the order is cancelled, stock and discount usage come back, the cart reopens.
    let cart = shop.ready_cart(&[(0, 3)]).await?;
    accepted(
        &shop.codes(&cart, &["ONCE"]).await?,
        "cartDiscountCodesUpdate",
    );
    let declined = shop
        .checkout(
            &shop.guest,
            &cart,
            "k",
            json!({ "provider": "test", "token": "tok_declined" }),
        )
        .await?;
    let payload = &declined.data()["checkoutComplete"];
    assert_eq!(
        payload["userErrors"][0]["code"], "PAYMENT_DECLINED",
        "{payload}"
    );
    assert_eq!(payload["order"]["status"], "CANCELLED");
    assert_eq!(payload["order"]["payments"][0]["status"], "DECLINED");
    assert_eq!(
        shop.stock_of(0).await?,
        (10, 1),
        "only the paid order's unit stays allocated"
    );
    let reopened = shop.read(&shop.guest, &cart).await?;
    assert_eq!(reopened["status"], "ACTIVE");
    assert_eq!(
        reopened["discountCodes"][0]["applicable"], true,
        "usage given back"
    );
    // The same key repeats the answer; a new key with a good card places the order.
    let repeat = shop
        .checkout(
            &shop.guest,
            &cart,
            "k",
            json!({ "provider": "test", "token": "tok_visa" }),
        )
        .await?;
    assert_eq!(checkout_errors(&repeat)[0]["code"], "PAYMENT_DECLINED");
    let retried = shop
        .checkout(
            &shop.guest,
            &cart,
            "k2",
            json!({ "provider": "test", "token": "tok_visa" }),
        )
        .await?;
    assert_eq!(placed(&retried)["status"], "PAID");
    assert_eq!(amount(&placed(&retried)["discountTotal"]), "5.00");
    shop.server.stop().await
}
e2e!(the_test_provider_pays_or_declines);

async fn carts_that_cannot_be_bought_are_refused(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000, 2000], |_| {}).await?;
    // Empty, and without buyer details.
    let empty = shop.cart_with(&[]).await?;
    let response = shop.checkout(&shop.guest, &empty, "k", Value::Null).await?;
    let codes: Vec<(&str, String)> = checkout_errors(&response)
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap(),
                e["field"]
                    .as_array()
                    .unwrap()
                    .last()
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("INVALID", "cartId".to_owned()),
            ("INVALID", "email".to_owned()),
            ("INVALID", "shippingAddress".to_owned())
        ]
    );

    // A line that lost its stock since it was added.
    let cart = shop.ready_cart(&[(0, 5), (1, 1)]).await?;
    shop.set_stock(0, 3).await?;
    let response = shop.checkout(&shop.guest, &cart, "k", Value::Null).await?;
    let errors = checkout_errors(&response);
    assert_eq!(errors[0]["code"], "OUT_OF_STOCK");
    assert_eq!(errors[0]["field"], json!(["cart", "lines", "0"]));
    assert_eq!(
        shop.stock_of(1).await?,
        (10, 0),
        "nothing allocated for the good line"
    );
    assert_eq!(shop.read(&shop.guest, &cart).await?["status"], "ACTIVE");

    // Bad keys and providers; malformed and unknown carts.
    for (key, payment, field) in [
        ("   ", Value::Null, "idempotencyKey"),
        ("k", json!({ "provider": "bitcoin" }), "provider"),
    ] {
        let response = shop.checkout(&shop.guest, &cart, key, payment).await?;
        let errors = checkout_errors(&response);
        assert_eq!(errors[0]["code"], "INVALID");
        assert_eq!(
            errors[0]["field"].as_array().unwrap().last().unwrap(),
            field
        );
    }
    let malformed = shop.checkout(&shop.guest, "nope", "k", Value::Null).await?;
    assert_eq!(malformed.error_code(), Some("BAD_USER_INPUT"));
    let unknown = shop
        .checkout(&shop.guest, uuid::Uuid::new_v4(), "k", Value::Null)
        .await?;
    assert_eq!(checkout_errors(&unknown)[0]["code"], "NOT_FOUND");
    shop.server.stop().await
}
e2e!(carts_that_cannot_be_bought_are_refused);

async fn checkout_costs_a_pinned_number_of_statements(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend.clone(), &[1000, 2000, 3000], |_| {}).await?;
    shop.discount("PIN", DiscountKind::Percentage, 1000)
        .await?
        .insert(&shop.db)
        .await?;
    let cart = shop.ready_cart(&[(0, 1), (1, 2), (2, 3)]).await?;
    accepted(
        &shop.codes(&cart, &["PIN"]).await?,
        "cartDiscountCodesUpdate",
    );
    // The order's own fields only: its lines, events and payments would add a batched read
    // each, which is the response's cost, not the checkout's.
    let response = shop
        .server
        .graphql(
            "mutation($cart: ID!) { checkoutComplete(cartId: $cart, idempotencyKey: \"pin\") { order { id number status total { amount } } userErrors { code } } }",
            json!({ "cart": cart.to_string() }),
        )
        .await?;
    assert_eq!(placed(&response)["status"], "PLACED");
    let statements = response.sql_statements.unwrap();
    eprintln!(
        "checkoutComplete on {}: {statements} statements",
        backend.name()
    );
    // Claim the cart; its lines with their variants, products and prices (one joined read);
    // lock stock; discounts; shipping methods; reserve; use the code; order (numbered inside
    // its INSERT), its discounts, lines, allocations, history, access key, payment, outbox.
    assert!(
        statements <= 15,
        "checkoutComplete took {statements} statements"
    );
    shop.server.stop().await
}
e2e!(checkout_costs_a_pinned_number_of_statements);

async fn totals_that_would_overflow_are_refused_not_saturated(
    backend: Backend,
) -> anyhow::Result<()> {
    // 92233720368547758.07: a price older versions accepted (the largest 64-bit amount).
    // Staff can no longer set it, so it is written as those versions left it.
    let shop = Shop::open(backend, &[1000, 1000], |_| {}).await?;
    variant_price::Entity::update_many()
        .col_expr(
            variant_price::Column::Amount,
            sea_orm::sea_query::Expr::value(i64::MAX),
        )
        .filter(variant_price::Column::VariantId.eq(shop.items[0].variant.uuid()))
        .exec(&shop.db)
        .await?;
    let cart = shop.ready_cart(&[(0, 1)]).await?;
    assert_eq!(
        amount(&shop.read(&shop.guest, &cart).await?["cost"]["total"]),
        "92233720368547758.07"
    );
    // A second unit (or anything more) cannot be priced: refused, the cart unchanged.
    for lines in [&[(0, 1)][..], &[(1, 1)][..]] {
        let response = shop.add(&shop.guest, &cart, shop.lines(lines)).await?;
        let payload = &response.data()["cartLinesAdd"];
        assert_eq!(payload["userErrors"][0]["code"], "INVALID", "{payload}");
        assert_eq!(payload["userErrors"][0]["field"], json!(["lines"]));
    }
    assert_eq!(shop.read(&shop.guest, &cart).await?["totalQuantity"], 1);

    // A cart whose price rose past the range after it was filled: not ready, not bought.
    let cart = shop.ready_cart(&[(1, 3)]).await?;
    variant_price::Entity::update_many()
        .col_expr(
            variant_price::Column::Amount,
            sea_orm::sea_query::Expr::value(i64::MAX / 2),
        )
        .filter(variant_price::Column::VariantId.eq(shop.items[1].variant.uuid()))
        .exec(&shop.db)
        .await?;
    let read = shop.read(&shop.guest, &cart).await?;
    assert_eq!(read["readyForCheckout"], false, "{read}");
    assert_ne!(amount(&read["cost"]["total"]), "92233720368547758.07");
    let response = shop.checkout(&shop.guest, &cart, "k", Value::Null).await?;
    let errors = checkout_errors(&response);
    assert_eq!(errors[0]["code"], "INVALID", "{errors:?}");
    assert_eq!(errors[0]["field"], json!(["cart"]));
    assert_eq!(response.data()["checkoutComplete"]["order"], Value::Null);
    assert_eq!(shop.stock_of(1).await?, (10, 0), "nothing allocated");
    shop.server.stop().await
}
e2e!(totals_that_would_overflow_are_refused_not_saturated);

async fn a_look_alike_buyer_email_stops_the_checkout(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let cart = shop.ready_cart(&[(0, 1)]).await?;
    // Written by a version that did not check for look-alikes.
    cart::Entity::update_many()
        .col_expr(
            cart::Column::Email,
            sea_orm::sea_query::Expr::value("\u{0430}da@example.com"),
        )
        .filter(cart::Column::Id.eq(cart.uuid()))
        .exec(&shop.db)
        .await?;
    let response = shop.checkout(&shop.guest, &cart, "k", Value::Null).await?;
    let errors = checkout_errors(&response);
    assert_eq!(errors[0]["code"], "INVALID", "{errors:?}");
    assert_eq!(
        errors[0]["field"],
        json!(["cart", "buyerIdentity", "email"])
    );
    assert_eq!(shop.stock_of(0).await?, (10, 0), "nothing allocated");
    shop.server.stop().await
}
e2e!(a_look_alike_buyer_email_stops_the_checkout);
