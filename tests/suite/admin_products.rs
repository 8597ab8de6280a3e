//! Staff changes to products and variants: permissions, creation with variants, prices and
//! stock, validation that changes nothing, price ranges kept up to date, deletes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use entities::stock_level;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::{Value, json};

const PRODUCTS: usize = 20;

const CREATE: &str = "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id slug name status brand variants { id sku name } } userErrors { field code message } } }";
const UPDATE: &str = "mutation($id: ID!, $input: ProductUpdateInput!) { productUpdate(id: $id, input: $input) { product { id slug status description brand } userErrors { field code message } } }";
const DELETE: &str = "mutation($id: ID!) { productDelete(id: $id) { deletedProductId userErrors { field code message } } }";
const VARIANT_CREATE: &str = "mutation($p: ID!, $input: ProductVariantInput!) { productVariantCreate(productId: $p, input: $input) { productVariant { id sku name } userErrors { field code message } } }";
const VARIANT_UPDATE: &str = "mutation($id: ID!, $input: ProductVariantUpdateInput!) { productVariantUpdate(id: $id, input: $input) { productVariant { id sku name selectedOptions { name value } } userErrors { field code message } } }";
const VARIANT_DELETE: &str = "mutation($id: ID!) { productVariantDelete(id: $id) { deletedProductVariantId userErrors { field code message } } }";
const READ: &str = "query($s: String!) { product(slug: $s) { id slug name status description brand category { slug } variants { sku name selectedOptions { name value } price { amount currencyCode } eur: price(currency: EUR) { amount } quantityAvailable } usd: priceRange(currency: USD) { minVariantPrice { amount } maxVariantPrice { amount } } eur: priceRange(currency: EUR) { minVariantPrice { amount } maxVariantPrice { amount } } totalAvailable } }";

/// The staff client of one test.
struct Admin<'a> {
    server: &'a TestServer,
    token: String,
}

impl Admin<'_> {
    async fn data(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let r = self
            .server
            .graphql_as(Some(&self.token), query, variables)
            .await?;
        assert!(r.error_code().is_none(), "{query}: {}", r.error_message());
        Ok(r.data().clone())
    }

    /// Runs a mutation and returns its payload (the value of its only field).
    async fn mutate(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let d = self.data(query, variables).await?;
        Ok(d.as_object().unwrap().values().next().unwrap().clone())
    }

    async fn product_count(&self) -> anyhow::Result<u64> {
        let d = self.data("{ products { totalCount } }", json!({})).await?;
        Ok(d["products"]["totalCount"].as_u64().unwrap())
    }

    async fn read(&self, slug: &str) -> anyhow::Result<Value> {
        Ok(self.data(READ, json!({ "s": slug })).await?["product"].clone())
    }

    /// The seeded warehouses' ids, by code.
    async fn warehouses(&self) -> anyhow::Result<(String, String)> {
        let d = self.data("{ warehouses { id code } }", json!({})).await?;
        let all = d["warehouses"].as_array().unwrap();
        let id = |code: &str| id_of(all.iter().find(|w| w["code"] == code).unwrap());
        Ok((id("US-WEST"), id("EU-CENTRAL")))
    }

    /// Slugs in ascending EUR price order (`reverse` for descending), first page.
    async fn by_eur_price(&self, reverse: bool) -> anyhow::Result<Vec<String>> {
        let q = "query($r: Boolean) { products(first: 100, sortKey: PRICE, currency: EUR, reverse: $r) { edges { node { slug } } } }";
        let d = self.data(q, json!({ "r": reverse })).await?;
        let edges = d["products"]["edges"].as_array().unwrap().iter();
        Ok(edges
            .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
            .collect())
    }
}

async fn admin(server: &TestServer) -> anyhow::Result<Admin<'_>> {
    Ok(Admin {
        server,
        token: server.admin_token().await?,
    })
}

/// The codes of a payload's user errors and the field of the first.
fn user_errors(payload: &Value) -> (Vec<String>, Value) {
    let errors = payload["userErrors"].as_array().unwrap();
    let codes = errors
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned());
    let field = errors.first().map_or(Value::Null, |e| e["field"].clone());
    (codes.collect(), field)
}

/// Asserts that a payload was refused with exactly one error of `code` on `field`.
fn refused(payload: &Value, code: &str, field: &[&str]) {
    let expected = (vec![code.to_owned()], json!(field));
    assert_eq!(user_errors(payload), expected, "{payload}");
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

fn money(usd: &str, eur: &str) -> Value {
    json!([{ "amount": usd, "currencyCode": "USD" }, { "amount": eur, "currencyCode": "EUR" }])
}

/// A lamp with two variants priced in USD and EUR, stocked in both warehouses.
fn lamp(us: &str, eu: &str) -> Value {
    json!({
        "name": "Desk Lamp", "description": "A lamp.", "brand": "Lumen",
        "variants": [
            { "sku": "LAMP-S", "name": "Small", "options": [{ "name": "Size", "value": "S" }],
              "prices": money("19.99", "0.50"),
              "stock": [{ "warehouseId": us, "onHand": 5 }, { "warehouseId": eu, "onHand": 3 }] },
            { "sku": "LAMP-L", "prices": money("29.99", "0.75"),
              "stock": [{ "warehouseId": us, "onHand": 0 }, { "warehouseId": eu, "onHand": 2 }] }
        ]
    })
}

/// Creates the lamp; returns the product of the payload.
async fn create_lamp(admin: &Admin<'_>) -> anyhow::Result<Value> {
    let (us, eu) = admin.warehouses().await?;
    let r = admin
        .mutate(CREATE, json!({ "input": lamp(&us, &eu) }))
        .await?;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    Ok(r["product"].clone())
}

/// (min, max) of a product's price range read under the alias `currency`.
fn range(product: &Value, currency: &str) -> (Value, Value) {
    let range = &product[currency];
    let amount = |end: &str| range[end]["amount"].clone();
    (amount("minVariantPrice"), amount("maxVariantPrice"))
}

async fn mutations_need_permissions(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let shopper = server.customer_token("shopper@example.com").await?;
    let (us, eu) = admin.warehouses().await?;
    let before = admin.product_count().await?;
    let id = "00000000-0000-7000-8000-000000000000";
    let variant = json!({ "sku": "X-1", "prices": money("1.00", "1.00") });
    let calls = [
        (CREATE, json!({ "input": lamp(&us, &eu) })),
        (UPDATE, json!({ "id": id, "input": { "name": "X" } })),
        (DELETE, json!({ "id": id })),
        (VARIANT_CREATE, json!({ "p": id, "input": variant })),
        (
            VARIANT_UPDATE,
            json!({ "id": id, "input": { "name": "X" } }),
        ),
        (VARIANT_DELETE, json!({ "id": id })),
    ];
    for (token, code) in [
        (None, "UNAUTHENTICATED"),
        (Some(shopper.as_str()), "FORBIDDEN"),
    ] {
        for (query, variables) in &calls {
            let r = server.graphql_as(token, query, variables.clone()).await?;
            assert_eq!(r.error_code(), Some(code), "{query}: {}", r.error_message());
        }
    }
    assert_eq!(admin.product_count().await?, before, "nothing created");
    server.stop().await
}
e2e!(mutations_need_permissions);

async fn product_is_created_with_variants(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let before = admin.product_count().await?;
    let product = create_lamp(&admin).await?;
    assert_eq!(product["slug"], "desk-lamp");
    assert_eq!(product["status"], "DRAFT");
    assert_eq!(
        product["variants"][1]["name"], "LAMP-L",
        "name defaults to the SKU"
    );
    assert_eq!(admin.product_count().await?, before + 1);

    let read = admin.read("desk-lamp").await?;
    let variants = &read["variants"];
    assert_eq!(
        (&read["brand"], &read["description"]),
        (&json!("Lumen"), &json!("A lamp."))
    );
    assert_eq!(variants[0]["sku"], "LAMP-S");
    let options = json!([{ "name": "Size", "value": "S" }]);
    assert_eq!(variants[0]["selectedOptions"], options);
    assert_eq!(
        variants[0]["price"],
        json!({ "amount": "19.99", "currencyCode": "USD" })
    );
    assert_eq!(variants[1]["eur"]["amount"], "0.75");
    assert_eq!(variants[0]["quantityAvailable"], 8);
    assert_eq!(variants[1]["quantityAvailable"], 2);
    assert_eq!(read["totalAvailable"], 10);
    assert_eq!(range(&read, "usd"), (json!("19.99"), json!("29.99")));
    assert_eq!(range(&read, "eur"), (json!("0.50"), json!("0.75")));
    assert_eq!(
        admin.by_eur_price(false).await?[0],
        "desk-lamp",
        "cheapest in EUR"
    );

    // DRAFT is invisible to the public until it is made ACTIVE.
    let public = "query { product(slug: \"desk-lamp\") { slug } }";
    let anonymous = server.graphql(public, json!({})).await?;
    assert_eq!(anonymous.data()["product"], Value::Null);
    let input = json!({ "status": "ACTIVE", "brand": null, "description": "Bright." });
    let r = admin
        .mutate(UPDATE, json!({ "id": id_of(&product), "input": input }))
        .await?;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    assert_eq!(r["product"]["brand"], Value::Null, "null clears the brand");
    assert_eq!(r["product"]["description"], "Bright.");
    let anonymous = server.graphql(public, json!({})).await?;
    assert_eq!(anonymous.data()["product"]["slug"], "desk-lamp");
    let input = json!({ "slug": "Not A Slug" });
    let r = admin
        .mutate(UPDATE, json!({ "id": id_of(&product), "input": input }))
        .await?;
    refused(&r, "INVALID", &["input", "slug"]);
    server.stop().await
}
e2e!(product_is_created_with_variants);

async fn refused_inputs_change_nothing(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let (us, eu) = admin.warehouses().await?;
    let first = "{ products(first: 1) { edges { node { slug variants { sku } } } } }";
    let seeded = admin.data(first, json!({})).await?["products"]["edges"][0]["node"].clone();
    let (seeded_slug, seeded_sku) = (&seeded["slug"], &seeded["variants"][0]["sku"]);
    let before = admin.product_count().await?;
    let variant = |sku: &str, usd: &str, eur: &str, warehouse: &str| {
        let stock = json!([{ "warehouseId": warehouse, "onHand": 1 }]);
        json!({ "sku": sku, "prices": money(usd, eur), "stock": stock })
    };
    let ok = variant("OK-1", "1.00", "1.00", &us);
    let unknown = "00000000-0000-7000-8000-000000000000";
    let seeded_sku = seeded_sku.as_str().unwrap();
    // A second variant (after `ok`), the code and the field under ["input", "variants", "1"].
    #[rustfmt::skip]
    let cases: [(Value, &str, &[&str]); 8] = [
        (variant("OK-1", "2.00", "2.00", &eu), "TAKEN", &["sku"]),
        (variant(seeded_sku, "2.00", "2.00", &eu), "TAKEN", &["sku"]),
        (variant("Z-1", "0", "1.00", &us), "INVALID", &["prices", "0", "amount"]),
        (variant("Z-1", "1.00", "-2.00", &us), "INVALID", &["prices", "1", "amount"]),
        (variant("Z-1", "1.999", "1.00", &us), "INVALID", &["prices", "0", "amount"]),
        (variant("Z-1", "1.00", "1.00", unknown), "NOT_FOUND", &["stock", "0", "warehouseId"]),
        (variant("bad sku", "1.00", "1.00", &us), "INVALID", &["sku"]),
        (json!({ "sku": "Z-1", "prices": [] }), "INVALID", &["prices"]),
    ];
    for (second, code, field) in cases {
        let input = json!({ "name": "Refused", "variants": [ok, second] });
        let r = admin.mutate(CREATE, json!({ "input": input })).await?;
        assert_eq!(r["product"], Value::Null, "{r}");
        let path = [&["input", "variants", "1"][..], field].concat();
        refused(&r, code, &path);
        assert_eq!(admin.product_count().await?, before, "{r}");
    }
    let taken = json!({ "name": "Taken", "slug": seeded_slug, "variants": [ok] });
    let r = admin.mutate(CREATE, json!({ "input": taken })).await?;
    refused(&r, "TAKEN", &["input", "slug"]);
    let input = json!({ "name": "X", "categoryId": unknown });
    let r = admin.mutate(CREATE, json!({ "input": input })).await?;
    refused(&r, "NOT_FOUND", &["input", "categoryId"]);
    assert_eq!(admin.product_count().await?, before);
    server.stop().await
}
e2e!(refused_inputs_change_nothing);

async fn variants_adjust_price_ranges(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let product = create_lamp(&admin).await?;
    let id = id_of(&product);
    let (small, large) = (
        id_of(&product["variants"][0]),
        id_of(&product["variants"][1]),
    );

    let prices = json!([{ "amount": "49.5", "currencyCode": "USD" }]);
    let input = json!({ "sku": "LAMP-XL", "prices": prices });
    let r = admin
        .mutate(VARIANT_CREATE, json!({ "p": id, "input": input }))
        .await?;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    let xl = id_of(&r["productVariant"]);
    let read = admin.read("desk-lamp").await?;
    assert_eq!(range(&read, "usd"), (json!("19.99"), json!("49.50")));
    assert_eq!(range(&read, "eur"), (json!("0.50"), json!("0.75")));
    assert_eq!(read["variants"][2]["sku"], "LAMP-XL", "added last");

    let input = json!({ "sku": "LAMP-L", "prices": money("1.00", "1.00") });
    let r = admin
        .mutate(VARIANT_CREATE, json!({ "p": id, "input": input }))
        .await?;
    refused(&r, "TAKEN", &["input", "sku"]);

    // New prices replace the list: the small lamp is no longer sold in EUR.
    let prices = json!([{ "amount": "9.99", "currencyCode": "USD" }]);
    let options = json!([{ "name": "Size", "value": "XS" }]);
    let input = json!({ "name": "Petite", "prices": prices, "options": options });
    let r = admin
        .mutate(VARIANT_UPDATE, json!({ "id": small, "input": input }))
        .await?;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    assert_eq!(r["productVariant"]["name"], "Petite");
    let read = admin.read("desk-lamp").await?;
    assert_eq!(range(&read, "usd"), (json!("9.99"), json!("49.50")));
    assert_eq!(range(&read, "eur"), (json!("0.75"), json!("0.75")));
    assert_eq!(read["variants"][0]["eur"], Value::Null);
    assert_eq!(
        read["variants"][0]["quantityAvailable"], 8,
        "stock unchanged"
    );

    let input = json!({ "prices": money("0", "1") });
    let r = admin
        .mutate(VARIANT_UPDATE, json!({ "id": small, "input": input }))
        .await?;
    refused(&r, "INVALID", &["input", "prices", "0", "amount"]);
    assert_eq!(r["productVariant"], Value::Null);

    // The dearest in EUR now: the price ranges follow.
    let input = json!({ "prices": money("29.99", "100000.00") });
    admin
        .mutate(VARIANT_UPDATE, json!({ "id": large, "input": input }))
        .await?;
    assert_eq!(admin.by_eur_price(true).await?[0], "desk-lamp");

    for variant in [&xl, &large] {
        let r = admin
            .mutate(VARIANT_DELETE, json!({ "id": variant }))
            .await?;
        assert_eq!(r["deletedProductVariantId"], json!(variant), "{r}");
    }
    let read = admin.read("desk-lamp").await?;
    assert_eq!(range(&read, "usd"), (json!("9.99"), json!("9.99")));
    assert_eq!(read["eur"], Value::Null, "no variant left in EUR");
    let eur_listing = admin.by_eur_price(false).await?;
    assert!(!eur_listing.contains(&"desk-lamp".to_owned()));
    server.stop().await
}
e2e!(variants_adjust_price_ranges);

async fn products_are_deleted(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let before = admin.product_count().await?;
    let product = create_lamp(&admin).await?;
    let id = id_of(&product);
    let small = id_of(&product["variants"][0]);

    // Allocated stock blocks both deletes.
    let db = &server.app.app.db;
    let level = stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.eq(small.parse::<uuid::Uuid>()?))
        .one(db)
        .await?
        .unwrap();
    let mut allocated = level.clone().into_active_model();
    allocated.allocated = Set(1);
    allocated.update(db).await?;
    let r = admin.mutate(DELETE, json!({ "id": id })).await?;
    refused(&r, "INVALID", &["id"]);
    let r = admin.mutate(VARIANT_DELETE, json!({ "id": small })).await?;
    refused(&r, "INVALID", &["id"]);
    let read = admin.read("desk-lamp").await?;
    assert_eq!(read["variants"].as_array().unwrap().len(), 2);

    let mut released = level.into_active_model();
    released.allocated = Set(0);
    released.update(db).await?;
    let r = admin.mutate(DELETE, json!({ "id": id })).await?;
    assert_eq!(r["deletedProductId"], json!(id), "{r}");
    let by_id = "query($id: ID!) { product(id: $id) { id } }";
    let gone = admin.data(by_id, json!({ "id": id })).await?;
    assert_eq!(gone["product"], Value::Null);
    assert_eq!(admin.product_count().await?, before);
    let r = admin.mutate(DELETE, json!({ "id": id })).await?;
    refused(&r, "NOT_FOUND", &["id"]);
    server.stop().await
}
e2e!(products_are_deleted);

async fn prices_above_the_maximum_are_refused(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let (us, _) = admin.warehouses().await?;
    let before = admin.product_count().await?;
    let variant = |sku: &str, usd: &str| {
        json!({ "sku": sku, "prices": [{ "amount": usd, "currencyCode": "USD" }],
                "stock": [{ "warehouseId": us, "onHand": 1 }] })
    };
    for price in ["92233720368547758.07", "1000000000.01"] {
        let input = json!({ "name": "Priceless", "variants": [variant("GOLD-1", price)] });
        let r = admin.mutate(CREATE, json!({ "input": input })).await?;
        assert_eq!(r["product"], Value::Null, "{r}");
        refused(
            &r,
            "INVALID",
            &["input", "variants", "0", "prices", "0", "amount"],
        );
        let message = r["userErrors"][0]["message"].as_str().unwrap();
        assert!(message.contains("1000000000.00"), "{message}");
    }
    assert_eq!(admin.product_count().await?, before);

    // The maximum itself is a price; raising it past the maximum later is refused too.
    let input = json!({ "name": "Expensive", "variants": [variant("GOLD-2", "1000000000.00")] });
    let r = admin.mutate(CREATE, json!({ "input": input })).await?;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    let variant_id = id_of(&r["product"]["variants"][0]);
    let slug = r["product"]["slug"].as_str().unwrap().to_owned();
    let raise = json!({ "prices": [{ "amount": "92233720368547758.07", "currencyCode": "USD" }] });
    let r = admin
        .mutate(VARIANT_UPDATE, json!({ "id": variant_id, "input": raise }))
        .await?;
    assert_eq!(r["productVariant"], Value::Null, "{r}");
    assert_eq!(r["userErrors"][0]["code"], "INVALID", "{r}");
    let product = admin.read(&slug).await?;
    assert_eq!(product["variants"][0]["price"]["amount"], "1000000000.00");
    server.stop().await
}
e2e!(prices_above_the_maximum_are_refused);
