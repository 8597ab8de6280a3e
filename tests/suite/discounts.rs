//! Staff manage discount codes; carts see the changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: DiscountCreateInput!) { discountCreate(input: $input) { discount { id code kind value currencyCode minimumSubtotal { amount currencyCode } startsAt endsAt usageLimit usageCount active } userErrors { field message code } } }";
const UPDATE: &str = "mutation($id: ID!, $input: DiscountUpdateInput!) { discountUpdate(id: $id, input: $input) { discount { code value endsAt usageLimit active minimumSubtotal { amount } } userErrors { field message code } } }";
const DELETE: &str =
    "mutation($id: ID!) { discountDelete(id: $id) { deletedDiscountId userErrors { code } } }";

async fn create(server: &TestServer, token: &str, input: Value) -> anyhow::Result<Value> {
    let response = server
        .graphql_as(Some(token), CREATE, json!({ "input": input }))
        .await?;
    Ok(response.data()["discountCreate"].clone())
}

async fn staff_create_update_and_delete_discounts(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 2).await?;
    let admin = server.admin_token().await?;

    let created = create(
        &server,
        &admin,
        json!({ "code": " summer-10 ", "kind": "PERCENTAGE", "value": "12.5", "usageLimit": 3 }),
    )
    .await?;
    assert_eq!(created["userErrors"], json!([]), "{created}");
    let discount = &created["discount"];
    assert_eq!(discount["code"], "SUMMER-10", "trimmed and upper-cased");
    assert_eq!(discount["value"], "12.50");
    assert_eq!(discount["usageLimit"], 3);
    assert_eq!(discount["usageCount"], 0);
    assert_eq!(discount["active"], true);
    let id = discount["id"].as_str().unwrap().to_owned();

    let fixed = create(
        &server,
        &admin,
        json!({ "code": "TENOFF", "kind": "FIXED_AMOUNT", "value": "10", "currencyCode": "EUR", "minimumSubtotal": "50" }),
    )
    .await?;
    assert_eq!(fixed["discount"]["value"], "10.00");
    assert_eq!(
        fixed["discount"]["minimumSubtotal"],
        json!({ "amount": "50.00", "currencyCode": "EUR" })
    );
    let free = create(
        &server,
        &admin,
        json!({ "code": "SHIP", "kind": "FREE_SHIPPING" }),
    )
    .await?;
    assert_eq!(free["discount"]["value"], "0.00");

    // Every invalid input is reported, nothing is created.
    let cases = [
        (
            json!({ "code": "SUMMER-10", "kind": "FREE_SHIPPING" }),
            "TAKEN",
            "code",
        ),
        (
            json!({ "code": "bad code!", "kind": "FREE_SHIPPING" }),
            "INVALID",
            "code",
        ),
        (
            json!({ "code": "X", "kind": "PERCENTAGE", "value": "120" }),
            "INVALID",
            "value",
        ),
        (
            json!({ "code": "X", "kind": "PERCENTAGE" }),
            "INVALID",
            "value",
        ),
        (
            json!({ "code": "X", "kind": "FIXED_AMOUNT", "value": "5" }),
            "INVALID",
            "currencyCode",
        ),
        (
            json!({ "code": "X", "kind": "FIXED_AMOUNT", "value": "5.001", "currencyCode": "USD" }),
            "INVALID",
            "value",
        ),
        (
            json!({ "code": "X", "kind": "FREE_SHIPPING", "usageLimit": 0 }),
            "INVALID",
            "usageLimit",
        ),
        (
            json!({ "code": "X", "kind": "FREE_SHIPPING", "startsAt": "2030-01-02T00:00:00Z", "endsAt": "2030-01-01T00:00:00Z" }),
            "INVALID",
            "endsAt",
        ),
    ];
    for (input, code, field) in cases {
        let refused = create(&server, &admin, input.clone()).await?;
        assert_eq!(refused["discount"], Value::Null, "{input}");
        assert_eq!(refused["userErrors"][0]["code"], code, "{input}: {refused}");
        assert_eq!(
            refused["userErrors"][0]["field"],
            json!(["input", field]),
            "{input}"
        );
    }

    // Update: change the value, set and then clear an end, deactivate.
    let update = |input: Value| {
        let (server, admin, id) = (&server, admin.clone(), id.clone());
        async move {
            let r = server
                .graphql_as(Some(&admin), UPDATE, json!({ "id": id, "input": input }))
                .await?;
            anyhow::Ok(r.data()["discountUpdate"].clone())
        }
    };
    let changed =
        update(json!({ "value": "15", "endsAt": "2099-01-01T00:00:00Z", "active": false })).await?;
    assert_eq!(changed["discount"]["value"], "15.00");
    assert_eq!(changed["discount"]["endsAt"], "2099-01-01T00:00:00+00:00");
    assert_eq!(changed["discount"]["active"], false);
    let cleared = update(json!({ "endsAt": null, "usageLimit": null })).await?;
    assert_eq!(cleared["discount"]["endsAt"], Value::Null);
    assert_eq!(cleared["discount"]["usageLimit"], Value::Null);
    assert_eq!(cleared["discount"]["value"], "15.00", "left out: kept");
    let bad = update(json!({ "value": "0" })).await?;
    assert_eq!(bad["userErrors"][0]["code"], "INVALID");

    let listed = server
        .graphql_as(Some(&admin), "{ discounts { code } }", json!({}))
        .await?;
    assert_eq!(
        listed.data()["discounts"],
        json!([{ "code": "SHIP" }, { "code": "SUMMER-10" }, { "code": "TENOFF" }])
    );

    let deleted = server
        .graphql_as(Some(&admin), DELETE, json!({ "id": id }))
        .await?;
    assert_eq!(
        deleted.data()["discountDelete"]["deletedDiscountId"],
        id.as_str()
    );
    let again = server
        .graphql_as(Some(&admin), DELETE, json!({ "id": id }))
        .await?;
    assert_eq!(
        again.data()["discountDelete"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    server.stop().await
}
e2e!(staff_create_update_and_delete_discounts);

async fn only_discount_managers_touch_discounts(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 1).await?;
    let customer = server.customer_token("shopper@example.com").await?;
    let input = json!({ "input": { "code": "FREE", "kind": "FREE_SHIPPING" } });
    let anonymous = server.graphql(CREATE, input.clone()).await?;
    assert_eq!(anonymous.error_code(), Some("UNAUTHENTICATED"));
    let forbidden = server.graphql_as(Some(&customer), CREATE, input).await?;
    assert_eq!(forbidden.error_code(), Some("FORBIDDEN"));
    let list = server
        .graphql_as(Some(&customer), "{ discounts { code } }", json!({}))
        .await?;
    assert_eq!(list.error_code(), Some("FORBIDDEN"));
    server.stop().await
}
e2e!(only_discount_managers_touch_discounts);

async fn discount_amounts_above_the_maximum_are_refused(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 2).await?;
    let admin = server.admin_token().await?;
    for (input, field) in [
        (
            json!({ "code": "HUGE", "kind": "FIXED_AMOUNT", "value": "92233720368547758.07", "currencyCode": "USD" }),
            "value",
        ),
        (
            json!({ "code": "HUGE", "kind": "PERCENTAGE", "value": "10", "currencyCode": "USD", "minimumSubtotal": "1000000000.01" }),
            "minimumSubtotal",
        ),
    ] {
        let refused = create(&server, &admin, input).await?;
        assert_eq!(refused["discount"], Value::Null, "{refused}");
        assert_eq!(refused["userErrors"][0]["code"], "INVALID");
        assert_eq!(refused["userErrors"][0]["field"], json!(["input", field]));
    }
    server.stop().await
}
e2e!(discount_amounts_above_the_maximum_are_refused);
