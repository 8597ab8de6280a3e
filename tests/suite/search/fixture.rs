//! A small catalog with known facts, created through the staff API (so it reaches the index
//! through the outbox and the sync, as real changes do), and helpers to search it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::Engine;
use e2e::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestServer};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};

pub const SEARCH: &str = r#"
query Search($query: String, $filter: ProductSearchFilter, $sortKey: SearchSortKey, $reverse: Boolean,
             $facets: [SearchFacet!], $first: Int, $offset: Int, $currency: CurrencyCode) {
  search(query: $query, filter: $filter, sortKey: $sortKey, reverse: $reverse, facets: $facets,
         first: $first, offset: $offset, currency: $currency) {
    totalHits
    processingTimeMs
    hits { product { id name } highlights { field snippet } }
    facets { name values { value count label } }
  }
}"#;

pub struct Catalog {
    pub server: TestServer,
    pub admin: String,
    pub warehouse: String,
    /// Category ids by name.
    pub categories: HashMap<&'static str, String>,
    /// Product ids by name.
    pub products: HashMap<&'static str, String>,
    /// The first variant of each product, by product name.
    pub variants: HashMap<&'static str, String>,
}

/// (name, brand, category, USD, EUR, stock, attributes, description)
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    i32,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// Five active products in the order they are created (CREATED sorts by it), and a draft
/// that must never be found.
pub const PRODUCTS: [Spec; 5] = [
    (
        "Organic Cotton Shirt",
        "Acme",
        "Shirts",
        "25.00",
        Some("23.00"),
        5,
        &[("Material", "Cotton"), ("Color", "White")],
        "A soft everyday shirt.",
    ),
    (
        "Linen Shirt",
        "Northwind",
        "Shirts",
        "40.00",
        Some("45.00"),
        3,
        &[("Material", "Linen"), ("Color", "Blue")],
        "Cool in summer.",
    ),
    (
        "Cotton Socks",
        "Acme",
        "Socks",
        "8.00",
        None,
        10,
        &[("Material", "Cotton")],
        "Three pairs.",
    ),
    (
        "Rain Jacket",
        "Northwind",
        "Jackets",
        "120.00",
        Some("110.00"),
        0,
        &[],
        "Waterproof shell with taped seams & a <hood>.",
    ),
    (
        "Wool Sweater",
        "Tidewater",
        "Apparel",
        "60.00",
        Some("55.00"),
        2,
        &[("Material", "Wool")],
        "Warm and heavy.",
    ),
];

impl Catalog {
    pub async fn create(engine: &Engine, backend: Backend) -> anyhow::Result<Catalog> {
        let engine = engine.clone();
        let server = TestServer::start(backend, 0, move |c| {
            c.auth.admin_email = Some(ADMIN_EMAIL.into());
            c.auth.admin_password = Some(ADMIN_PASSWORD.into());
            c.events.outbox_poll_ms = 100;
            engine.configure(c);
        })
        .await?;
        let admin = server.admin_token().await?;
        let warehouse = staff(
            &server,
            &admin,
            "mutation { warehouseCreate(input: { code: \"MAIN\", name: \"Main\" }) { warehouse { id } userErrors { message } } }",
            json!({}),
        )
        .await?["warehouseCreate"]["warehouse"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut catalog = Catalog {
            server,
            admin,
            warehouse,
            categories: HashMap::new(),
            products: HashMap::new(),
            variants: HashMap::new(),
        };
        let apparel = catalog.category("Apparel", None).await?;
        for name in ["Shirts", "Socks", "Jackets"] {
            catalog.category(name, Some(&apparel)).await?;
        }
        for spec in PRODUCTS {
            catalog.product(spec, "ACTIVE").await?;
        }
        let draft = (
            "Secret Cotton Prototype",
            "Acme",
            "Shirts",
            "9.00",
            None,
            4,
            &[][..],
            "Not yet.",
        );
        catalog.product(draft, "DRAFT").await?;
        catalog.wait_for(json!({}), |r| r["totalHits"] == 5).await?;
        Ok(catalog)
    }

    async fn category(
        &mut self,
        name: &'static str,
        parent: Option<&str>,
    ) -> anyhow::Result<String> {
        let data = staff(
            &self.server,
            &self.admin,
            "mutation($input: CategoryCreateInput!) { categoryCreate(input: $input) { category { id } userErrors { message } } }",
            json!({ "input": { "name": name, "parentId": parent } }),
        )
        .await?;
        let id = data["categoryCreate"]["category"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        self.categories.insert(name, id.clone());
        Ok(id)
    }

    async fn product(&mut self, spec: Spec, status: &str) -> anyhow::Result<()> {
        let (name, brand, category, usd, eur, stock, attributes, description) = spec;
        let mut prices = vec![json!({ "amount": usd, "currencyCode": "USD" })];
        if let Some(eur) = eur {
            prices.push(json!({ "amount": eur, "currencyCode": "EUR" }));
        }
        let sku = name.to_uppercase().replace(' ', "-");
        let input = json!({
            "name": name, "brand": brand, "description": description, "status": status,
            "categoryId": self.categories[category],
            "attributes": attributes.iter().map(|(n, v)| json!({ "name": n, "value": v })).collect::<Vec<_>>(),
            "variants": [{ "sku": sku, "prices": prices,
                           "stock": [{ "warehouseId": self.warehouse, "onHand": stock }] }],
        });
        let data = staff(
            &self.server,
            &self.admin,
            "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id variants { id } } userErrors { field message } } }",
            json!({ "input": input }),
        )
        .await?;
        let product = &data["productCreate"]["product"];
        assert!(product.is_object(), "{data}");
        self.products
            .insert(name, product["id"].as_str().unwrap().to_owned());
        self.variants.insert(
            name,
            product["variants"][0]["id"].as_str().unwrap().to_owned(),
        );
        Ok(())
    }

    /// `search` with these variables; fails on GraphQL errors.
    pub async fn search(&self, variables: Value) -> anyhow::Result<Value> {
        let response = self.server.graphql(SEARCH, variables).await?;
        anyhow::ensure!(
            response.body.get("errors").is_none(),
            "search failed: {}",
            response.body
        );
        Ok(response.data()["search"].clone())
    }

    /// Searches until `done` holds (the index follows the database within moments).
    pub async fn wait_for(
        &self,
        variables: Value,
        done: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let result = self.search(variables.clone()).await?;
            if done(&result) {
                return Ok(result);
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the index did not catch up: {result}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn staff(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        staff(&self.server, &self.admin, query, variables).await
    }
}

async fn staff(
    server: &TestServer,
    token: &str,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let response = server.graphql_as(Some(token), query, variables).await?;
    anyhow::ensure!(
        response.body.get("errors").is_none(),
        "{query}: {}",
        response.body
    );
    Ok(response.data().clone())
}

/// The product names of a search result, in order.
pub fn names(result: &Value) -> Vec<String> {
    result["hits"]
        .as_array()
        .map(|hits| {
            hits.iter()
                .map(|h| h["product"]["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A facet's values as `value → count`.
pub fn facet(result: &Value, name: &str) -> HashMap<String, i64> {
    result["facets"]
        .as_array()
        .and_then(|facets| facets.iter().find(|f| f["name"] == name))
        .and_then(|f| f["values"].as_array())
        .map(|values| {
            values
                .iter()
                .map(|v| {
                    (
                        v["value"].as_str().unwrap_or_default().to_owned(),
                        v["count"].as_i64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
