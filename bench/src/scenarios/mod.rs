//! The scenarios (one file each), the catalog facts they draw from (product slugs, variants
//! with their stock, fetched once at setup), and the count of SQL statements per operation.

pub mod attacks;
pub mod cart;
pub mod checkout;
pub mod detail;
pub mod fanout;
pub mod listing;
pub mod search;

use crate::client::Gql;
use anyhow::{Context as _, bail};
use serde_json::{Value, json};

/// `--scenario` names.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name {
    /// Product listing page: `products(first: 24)` with prices, images and variants.
    Listing,
    /// Product page: `product(slug:)` with everything it shows (random slugs).
    Detail,
    /// Search with facets, rotating queries (typos, filters, sort, empty query).
    Search,
    /// `cartCreate` then 3 × `cartLinesAdd`.
    Cart,
    /// The cart flow then `checkoutComplete` (manual payment).
    Checkout,
    /// Websocket subscribers on one variant; `stockAdjust` changes; delivery delay.
    Fanout,
    /// Hostile documents (fragment bomb, oversized persisted query, alias flood): how fast
    /// each is refused.
    Attacks,
}

impl Name {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Listing => "listing",
            Self::Detail => "detail",
            Self::Search => "search",
            Self::Cart => "cart",
            Self::Checkout => "checkout",
            Self::Fanout => "fanout",
            Self::Attacks => "attacks",
        }
    }
}

/// A variant and the units it had for sale at setup.
#[derive(Clone, Debug)]
pub struct Variant {
    pub id: String,
    pub available: i64,
}

/// What the scenarios pick from.
pub struct Catalog {
    /// Product slugs (up to the limit).
    pub slugs: Vec<String>,
    /// Every variant seen, most units available first.
    pub variants: Vec<Variant>,
}

const PAGE: &str = "query($after: String) { products(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { slug variants { id quantityAvailable } } } }";

impl Catalog {
    /// Pages through `products` until `limit` products are read or the catalog ends.
    pub async fn fetch(gql: &Gql, limit: usize) -> anyhow::Result<Self> {
        let mut slugs = Vec::new();
        let mut variants = Vec::new();
        let mut after = Value::Null;
        while slugs.len() < limit {
            let data = gql
                .data(PAGE, &json!({ "after": after }))
                .await
                .context("reading the catalog (products)")?;
            let page = &data["products"];
            for node in page["nodes"].as_array().into_iter().flatten() {
                if let Some(slug) = node["slug"].as_str() {
                    slugs.push(slug.to_owned());
                }
                for variant in node["variants"].as_array().into_iter().flatten() {
                    if let Some(id) = variant["id"].as_str() {
                        variants.push(Variant {
                            id: id.to_owned(),
                            available: variant["quantityAvailable"].as_i64().unwrap_or(0),
                        });
                    }
                }
            }
            if page["pageInfo"]["hasNextPage"] != json!(true) {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        if slugs.is_empty() || variants.is_empty() {
            bail!("the catalog has no products: seed one (`shopgraph seed`, or --start)");
        }
        variants.sort_by_key(|v| std::cmp::Reverse(v.available));
        Ok(Self { slugs, variants })
    }

    /// Variants to put in carts: the better-stocked half of those in stock, so that
    /// checkouts run out as late as possible.
    pub fn buyable(&self) -> Vec<String> {
        let in_stock: Vec<&Variant> = self.variants.iter().filter(|v| v.available > 0).collect();
        let keep = in_stock.len().div_ceil(2);
        in_stock[..keep].iter().map(|v| v.id.clone()).collect()
    }

    /// Units available over the buyable variants.
    pub fn buyable_units(&self) -> i64 {
        let in_stock = self.variants.iter().filter(|v| v.available > 0).count();
        self.variants[..in_stock.div_ceil(2)]
            .iter()
            .map(|v| v.available)
            .sum()
    }
}

/// The SQL statements one operation issued.
pub struct StatementCount {
    pub op: &'static str,
    /// `x-sql-statements`; `None` when the server sent none (production mode).
    pub count: Option<u64>,
    /// The user error codes when the operation was refused (its count is then that of a
    /// refusal, e.g. a checkout after the catalog sold out).
    pub refused: Option<String>,
}

/// One request of each kind, after a first one to warm caches: its `x-sql-statements`.
/// The cart operations use the variant with the most stock now (the catalog was read
/// before checkouts may have sold it).
pub async fn count_statements(gql: &Gql, catalog: &Catalog) -> anyhow::Result<Vec<StatementCount>> {
    let slug = catalog.slugs.first().context("no product")?;
    let now = Catalog::fetch(gql, 100).await?;
    let variant = now.variants.first().context("no variant")?;
    let mut counts = Vec::new();
    for (op, query, variables) in [
        ("listing", listing::QUERY, listing::variables()),
        ("detail", detail::QUERY, json!({ "slug": slug })),
        ("search", search::QUERY, search::variables(0)),
    ] {
        let mut count = None;
        for _ in 0..2 {
            count = statements_of(gql, op, query, &variables).await?.1;
        }
        counts.push(StatementCount {
            op,
            count,
            refused: None,
        });
    }
    let (mut add, mut complete) = (None, None);
    for _ in 0..2 {
        let (cart, _) = statements_of(
            gql,
            "cartCreate",
            cart::CREATE,
            &json!({ "input": checkout::cart_input() }),
        )
        .await?;
        let cart_id = cart["cartCreate"]["cart"]["id"].clone();
        let lines = json!({ "id": cart_id, "lines": [{ "variantId": variant.id, "quantity": 1 }] });
        let (data, count) = statements_of(gql, "cartLinesAdd", cart::ADD, &lines).await?;
        add = Some(StatementCount {
            op: "cartLinesAdd",
            count,
            refused: refusal(&data["cartLinesAdd"]),
        });
        let key = uuid::Uuid::new_v4().to_string();
        let variables = json!({ "id": cart_id, "key": key });
        let (data, count) =
            statements_of(gql, "checkoutComplete", checkout::COMPLETE, &variables).await?;
        complete = Some(StatementCount {
            op: "checkoutComplete",
            count,
            refused: refusal(&data["checkoutComplete"]),
        });
    }
    counts.extend(add);
    counts.extend(complete);
    Ok(counts)
}

/// The user error codes of a payload, when it has any.
fn refusal(payload: &Value) -> Option<String> {
    let errors = payload["userErrors"].as_array()?;
    let codes: Vec<&str> = errors.iter().filter_map(|e| e["code"].as_str()).collect();
    (!errors.is_empty()).then(|| codes.join(","))
}

async fn statements_of(
    gql: &Gql,
    op: &str,
    query: &str,
    variables: &Value,
) -> anyhow::Result<(Value, Option<u64>)> {
    let mut reply = gql
        .uncached()
        .post(query, variables)
        .await
        .with_context(|| format!("{op} (counting SQL statements)"))?;
    if let Some(problem) = reply.problem() {
        bail!("{op} (counting SQL statements): {problem}");
    }
    Ok((reply.body["data"].take(), reply.sql_statements))
}
