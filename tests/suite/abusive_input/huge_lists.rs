//! Lists far longer than any honest input: each is refused as a whole with one clear error
//! on the list (not one error per element), before anything is written.

use super::{
    Battery, Expect, PRODUCT_CREATE, PRODUCTS, VARIANT_CREATE, VARIANT_UPDATE, seeded, short,
};
use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};

const HUGE: usize = 10_000;

fn usd(amount: &str) -> Value {
    json!({ "amount": amount, "currencyCode": "USD" })
}

async fn huge_lists_are_refused(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let mut battery = Battery::new(&server).await?;
    let ids = seeded(&battery).await?;
    let invalid = |field| Expect::UserError("INVALID", field);
    let variant = |sku: &str| json!({ "sku": sku, "prices": [usd("1.00")] });

    let prices: Vec<Value> = (0..HUGE).map(|_| usd("1.00")).collect();
    let options: Vec<Value> = (0..HUGE)
        .map(|i| json!({ "name": format!("Option {i}"), "value": "x" }))
        .collect();
    let stock: Vec<Value> = (0..HUGE)
        .map(|_| json!({ "warehouseId": ids.warehouse, "onHand": 1 }))
        .collect();

    let mut input = variant("HUGE-PRICES");
    input["prices"] = json!(prices);
    let vars = json!({ "p": ids.product, "input": input });
    let field = invalid(&["input", "prices"]);
    battery
        .refused("variant with 10,000 prices", VARIANT_CREATE, vars, field)
        .await?;

    let mut input = variant("HUGE-OPTIONS");
    input["options"] = json!(options);
    let vars = json!({ "p": ids.product, "input": input });
    let field = invalid(&["input", "options"]);
    battery
        .refused("variant with 10,000 options", VARIANT_CREATE, vars, field)
        .await?;

    let mut input = variant("HUGE-STOCK");
    input["stock"] = json!(stock);
    let vars = json!({ "p": ids.product, "input": input });
    let field = invalid(&["input", "stock"]);
    battery
        .refused(
            "variant with 10,000 stock entries",
            VARIANT_CREATE,
            vars,
            field,
        )
        .await?;

    let variants: Vec<Value> = (0..HUGE).map(|i| variant(&format!("HUGE-{i}"))).collect();
    let input = json!({ "name": "Huge", "slug": "huge", "variants": variants });
    let field = invalid(&["input", "variants"]);
    let vars = json!({ "input": input });
    battery
        .refused("product with 10,000 variants", PRODUCT_CREATE, vars, field)
        .await?;

    let vars = json!({ "id": ids.variant, "input": { "prices": prices } });
    let field = invalid(&["input", "prices"]);
    battery
        .refused(
            "variant update with 10,000 prices",
            VARIANT_UPDATE,
            vars,
            field,
        )
        .await?;
    let vars = json!({ "id": ids.variant, "input": { "options": options } });
    let field = invalid(&["input", "options"]);
    battery
        .refused(
            "variant update with 10,000 options",
            VARIANT_UPDATE,
            vars,
            field,
        )
        .await?;

    // List arguments of reads next to the catalog mutations.
    let brands: Vec<String> = (0..HUGE).map(|i| format!("Brand {i}")).collect();
    let q = "query($b: [String!]) { products(filter: { brands: $b }) { totalCount } }";
    let error = Expect::GraphqlError("BAD_USER_INPUT", &["at most"]);
    battery
        .refused(
            "10,000 brands in a filter",
            q,
            json!({ "b": brands }),
            error,
        )
        .await?;
    let category_ids: Vec<&str> = (0..HUGE).map(|_| ids.category.as_str()).collect();
    let q = "query($c: [ID!]) { products(filter: { categoryIds: $c }) { totalCount } }";
    let error = Expect::GraphqlError("BAD_USER_INPUT", &["at most"]);
    battery
        .refused("10,000 categoryIds", q, json!({ "c": category_ids }), error)
        .await?;

    // Federation: a router may batch many representations; whatever the answer, it is not a
    // server failure.
    let representation = json!({ "__typename": "Product", "id": ids.product });
    let representations: Vec<&Value> = (0..HUGE).map(|_| &representation).collect();
    let q = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id } } }";
    let r = battery.send(q, json!({ "r": representations })).await?;
    battery.check_clean("10,000 entity representations", &r);
    if r.body["data"]["_entities"].as_array().map(Vec::len) != Some(HUGE)
        && r.body.get("errors").is_none()
    {
        battery.fail("10,000 entity representations", short(&r.body));
    }
    battery.finish()?;
    server.stop().await
}
e2e!(huge_lists_are_refused);
