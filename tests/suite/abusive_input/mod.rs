//! Abusive input: huge bodies, alias floods, huge lists, hostile and unusual Unicode.
//!
//! The rule under test: bad input gets a clear error — a user error naming the field, or a
//! GraphQL error with a code — and changes nothing; never an HTTP 5xx, never `INTERNAL`. Valid
//! but unusual text (emoji, combining marks, right-to-left scripts) is kept exactly.
//!
//! Each test drives the real server over HTTP and runs on SQLite and PostgreSQL (PostgreSQL
//! refuses NUL in text, so it is where an unchecked string turns into a database error). A
//! test collects every failing case and reports them together.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod broken_encodings;
mod cache_poisoning;
mod costly_documents;
mod floods;
mod hostile_reads;
mod hostile_text;
mod huge_lists;
mod persisted_registrations;
mod schema_disclosure;
mod valid_text;

use e2e::{GraphqlResponse, TestServer};
use entities::{
    category, customer, product, product_price_range, product_variant, refresh_token, stock_level,
    variant_price, warehouse,
};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

/// Demo products seeded for each test: enough to have categories, variants and stock.
const PRODUCTS: usize = 12;

/// Every row a refused mutation could touch, each serialised, sorted per table, so "nothing
/// changed" is checked exactly (a changed column counts, not only a changed row count).
#[derive(Debug, PartialEq)]
struct Snapshot(Vec<(&'static str, Vec<String>)>);

macro_rules! rows {
    ($db:expr, $table:ident) => {{
        let mut rows = $table::Entity::find()
            .all($db)
            .await?
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()?;
        rows.sort();
        (stringify!($table), rows)
    }};
}

impl Snapshot {
    async fn take(server: &TestServer) -> anyhow::Result<Self> {
        let db = &server.app.app.db;
        Ok(Self(vec![
            rows!(db, product),
            rows!(db, product_variant),
            rows!(db, variant_price),
            rows!(db, product_price_range),
            rows!(db, stock_level),
            rows!(db, category),
            rows!(db, warehouse),
            rows!(db, customer),
            rows!(db, refresh_token),
        ]))
    }

    /// The tables that differ, with their row counts before and after.
    fn changes(&self, after: &Snapshot) -> Vec<String> {
        self.0
            .iter()
            .zip(&after.0)
            .filter(|(before, after)| before != after)
            .map(|((table, before), (_, after))| {
                format!("{table} changed ({} → {} rows)", before.len(), after.len())
            })
            .collect()
    }
}

/// What a case must answer.
enum Expect<'a> {
    /// The mutation's payload holds exactly one user error with this code on this field.
    UserError(&'a str, &'a [&'a str]),
    /// A GraphQL error with this `extensions.code` whose message contains one of the texts.
    GraphqlError(&'a str, &'a [&'a str]),
    /// Either answer. Used where the input guard (`schema::common::input_guard`), once
    /// registered on the schema, refuses a request before the services (or the complexity
    /// limit) see it: the battery holds with and without it.
    Either(Box<Expect<'a>>, Box<Expect<'a>>),
}

impl<'a> Expect<'a> {
    /// The input guard's refusal of a NUL anywhere in a request.
    fn guard_nul() -> Self {
        Self::GraphqlError("BAD_USER_INPUT", &["NUL"])
    }

    /// `self`, or the guard's refusal when `text` holds a NUL.
    fn or_guard_when_nul(self, text: &str) -> Self {
        if text.contains('\0') {
            Self::Either(Box::new(self), Box::new(Self::guard_nul()))
        } else {
            self
        }
    }

    /// What is wrong with `r` as an answer, if anything.
    fn problem(&self, r: &GraphqlResponse) -> Option<String> {
        match self {
            Expect::UserError(code, field) => {
                let payload = payload(r);
                let errors = payload["userErrors"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                // A user error about no field in particular has `field: null`.
                let field = if field.is_empty() {
                    Value::Null
                } else {
                    json!(field)
                };
                let wanted = json!([{ "code": code, "field": field }]);
                let got: Vec<Value> = errors
                    .iter()
                    .map(|e| json!({ "code": e["code"], "field": e["field"] }))
                    .collect();
                if Value::Array(got) != wanted || r.body.get("errors").is_some() {
                    Some(format!("expected {wanted}, got {}", short(&r.body)))
                } else if errors[0]["message"].as_str().is_none_or(str::is_empty) {
                    Some("the user error has no message".into())
                } else {
                    None
                }
            }
            Expect::GraphqlError(code, messages) => {
                let message = r.error_message();
                let ok =
                    r.error_code() == Some(code) && messages.iter().any(|m| message.contains(m));
                (!ok).then(|| {
                    let wanted = format!("{code} containing one of {messages:?}");
                    format!("expected {wanted}, got {}", short(&r.body))
                })
            }
            Expect::Either(first, second) => {
                let first = first.problem(r)?;
                let second = second.problem(r)?;
                Some(format!("{first}; or {second}"))
            }
        }
    }
}

/// Runs cases as the administrator and collects the failures.
struct Battery<'a> {
    server: &'a TestServer,
    token: String,
    failures: Vec<String>,
}

impl<'a> Battery<'a> {
    async fn new(server: &'a TestServer) -> anyhow::Result<Self> {
        Ok(Self {
            server,
            token: server.admin_token().await?,
            failures: Vec::new(),
        })
    }

    async fn send(&self, query: &str, variables: Value) -> anyhow::Result<GraphqlResponse> {
        self.server
            .graphql_as(Some(&self.token), query, variables)
            .await
    }

    fn fail(&mut self, case: &str, problem: impl std::fmt::Display) {
        self.failures.push(format!("{case}: {problem}"));
    }

    /// Records a failure when the response is a 5xx or carries an INTERNAL error.
    fn check_clean(&mut self, case: &str, r: &GraphqlResponse) {
        if r.status >= 500 {
            self.fail(case, format!("HTTP {}: {}", r.status, short(&r.body)));
        }
        let errors = r.body["errors"].as_array().into_iter().flatten();
        if errors
            .into_iter()
            .any(|e| e["extensions"]["code"] == "INTERNAL")
        {
            self.fail(case, format!("INTERNAL error: {}", short(&r.body)));
        }
    }

    /// Sends a request that must be refused as `expect` says and must change nothing.
    async fn refused(
        &mut self,
        case: &str,
        query: &str,
        variables: Value,
        expect: Expect<'_>,
    ) -> anyhow::Result<()> {
        let before = Snapshot::take(self.server).await?;
        let r = self.send(query, variables).await?;
        self.check_clean(case, &r);
        self.check_answer(case, &r, &expect);
        self.unchanged(case, &before).await
    }

    fn check_answer(&mut self, case: &str, r: &GraphqlResponse, expect: &Expect<'_>) {
        if let Some(problem) = expect.problem(r) {
            self.fail(case, problem);
        }
    }

    async fn unchanged(&mut self, case: &str, before: &Snapshot) -> anyhow::Result<()> {
        let after = Snapshot::take(self.server).await?;
        for change in before.changes(&after) {
            self.fail(case, change);
        }
        Ok(())
    }

    /// Fails the test with every failure found.
    fn finish(self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.failures.is_empty(),
            "{} case(s) failed:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        Ok(())
    }
}

/// The value of the response's only top-level field (a mutation payload).
fn payload(r: &GraphqlResponse) -> Value {
    r.body["data"]
        .as_object()
        .and_then(|d| d.values().next())
        .cloned()
        .unwrap_or(Value::Null)
}

/// The first 300 characters of a response body, for failure messages.
fn short(body: &Value) -> String {
    body.to_string().chars().take(300).collect()
}

/// Ids of seeded rows the cases change: a product, one of its variants, a category and a
/// warehouse.
struct Seeded {
    product: String,
    variant: String,
    category: String,
    warehouse: String,
}

async fn seeded(battery: &Battery<'_>) -> anyhow::Result<Seeded> {
    let q = "{ products(first: 1) { nodes { id variants { id } } } categories(first: 1) { nodes { id } } warehouses { id } }";
    let r = battery.send(q, json!({})).await?;
    let d = r.data();
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let product = &d["products"]["nodes"][0];
    Ok(Seeded {
        product: id(product),
        variant: id(&product["variants"][0]),
        category: id(&d["categories"]["nodes"][0]),
        warehouse: id(&d["warehouses"][0]),
    })
}

const PRODUCT_CREATE: &str = "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id name slug description brand variants { sku name selectedOptions { name value } } } userErrors { field code message } } }";
const PRODUCT_UPDATE: &str = "mutation($id: ID!, $input: ProductUpdateInput!) { productUpdate(id: $id, input: $input) { product { id name description brand } userErrors { field code message } } }";
const VARIANT_CREATE: &str = "mutation($p: ID!, $input: ProductVariantInput!) { productVariantCreate(productId: $p, input: $input) { productVariant { id sku name selectedOptions { name value } } userErrors { field code message } } }";
const VARIANT_UPDATE: &str = "mutation($id: ID!, $input: ProductVariantUpdateInput!) { productVariantUpdate(id: $id, input: $input) { productVariant { id sku name selectedOptions { name value } } userErrors { field code message } } }";
const CATEGORY_CREATE: &str = "mutation($input: CategoryCreateInput!) { categoryCreate(input: $input) { category { id name slug description } userErrors { field code message } } }";
const CATEGORY_UPDATE: &str = "mutation($id: ID!, $input: CategoryUpdateInput!) { categoryUpdate(id: $id, input: $input) { category { id name description } userErrors { field code message } } }";
const WAREHOUSE_CREATE: &str = "mutation($input: WarehouseCreateInput!) { warehouseCreate(input: $input) { warehouse { id code name } userErrors { field code message } } }";
const REGISTER: &str = "mutation($input: CustomerRegisterInput!) { customerRegister(input: $input) { customer { email firstName lastName } userErrors { field code message } } }";
const STOCK_ADJUST: &str = "mutation($v: ID!, $w: ID!, $r: String!) { stockAdjust(variantId: $v, warehouseId: $w, delta: 1, reason: $r) { stockLevel { onHand } userErrors { field code message } } }";

/// `base` with `field` set to `value`.
fn with(base: &Value, field: &str, value: Value) -> Value {
    let mut input = base.clone();
    input[field] = value;
    input
}
