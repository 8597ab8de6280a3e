//! Carts over HTTP: lines, totals, discount codes, buyer details, access, merging on sign-in.
//!
//! Each test works on a few variants whose price and stock it sets itself, so totals and
//! stock rules are checked against known numbers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod discounts;
mod lines;
mod merge;
mod totals;

use e2e::{Backend, GraphqlResponse, TestServer, e2e};
use entities::enums::{DiscountKind, ProductStatus};
use entities::{discount, product, product_variant, stock_level, variant_price, warehouse};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

/// Every field a storefront's cart page shows.
pub(crate) const CART_FIELDS: &str = r#"
  id currencyCode status totalQuantity readyForCheckout
  lines {
    id quantity quantityAvailable availableForSale problem
    variant { id sku }
    cost { unitPrice { amount currencyCode } subtotal { amount } }
  }
  discountCodes { code applicable reason }
  cost {
    subtotal { amount currencyCode } discountTotal { amount } shippingTotal { amount }
    taxTotal { amount } total { amount }
  }
  buyerIdentity { email customerId shippingAddress { city countryCode zip } }
"#;

pub(crate) fn mutation(name: &str, arguments: &str, parameters: &str) -> String {
    format!(
        "mutation({parameters}) {{ {name}({arguments}) {{ cart {{ {CART_FIELDS} }} userErrors {{ field message code }} }} }}"
    )
}

/// `cartDiscountCodesUpdate` with `$cart` and `$codes`.
pub(crate) fn codes_mutation() -> String {
    mutation(
        "cartDiscountCodesUpdate",
        "cartId: $cart, discountCodes: $codes",
        "$cart: ID!, $codes: [String!]!",
    )
}

/// A variant the test controls: its USD price (minor units) and stock.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub(crate) id: String,
    pub(crate) uuid: Uuid,
    pub(crate) product: Uuid,
}

pub(crate) struct Shop {
    pub(crate) server: TestServer,
    pub(crate) db: DatabaseConnection,
    pub(crate) items: Vec<Item>,
}

impl Shop {
    /// A server (with `configure` applied) and `prices.len()` variants of different active
    /// products, priced in USD at `prices` (minor units) with 10 units each in one warehouse.
    pub(crate) async fn open(
        backend: Backend,
        prices: &[i64],
        configure: impl FnOnce(&mut shopgraph::config::Config),
    ) -> anyhow::Result<Self> {
        let server = TestServer::start(backend, 12, |config| {
            config.auth.admin_email = Some(e2e::ADMIN_EMAIL.to_owned());
            config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.to_owned());
            configure(config);
        })
        .await?;
        let db = server.app.app.db.clone();
        let products = product::Entity::find()
            .filter(product::Column::Status.eq(ProductStatus::Active))
            .order_by_asc(product::Column::Id)
            .all(&db)
            .await?;
        let mut items = Vec::new();
        for (product, price) in products.iter().zip(prices) {
            let variant = product_variant::Entity::find()
                .filter(product_variant::Column::ProductId.eq(product.id))
                .order_by_asc(product_variant::Column::Position)
                .one(&db)
                .await?
                .unwrap();
            variant_price::Entity::delete_many()
                .filter(variant_price::Column::VariantId.eq(variant.id))
                .exec(&db)
                .await?;
            variant_price::ActiveModel {
                variant_id: Set(variant.id),
                currency_code: Set("USD".to_owned()),
                amount: Set(*price),
                compare_at_amount: Set(None),
            }
            .insert(&db)
            .await?;
            let item = Item {
                id: variant.id.to_string(),
                uuid: variant.id,
                product: product.id,
            };
            set_stock(&db, &item, 10).await?;
            items.push(item);
        }
        assert_eq!(items.len(), prices.len(), "not enough active products");
        Ok(Self { server, db, items })
    }

    pub(crate) async fn create(
        &self,
        token: Option<&str>,
        input: Value,
    ) -> anyhow::Result<GraphqlResponse> {
        let query = mutation("cartCreate", "input: $input", "$input: CartCreateInput");
        self.server
            .graphql_as(token, &query, json!({ "input": input }))
            .await
    }

    /// A new guest cart with `lines` (variant index, quantity); returns its id.
    pub(crate) async fn cart_with(&self, lines: &[(usize, i32)]) -> anyhow::Result<String> {
        let created = self
            .create(None, json!({ "lines": self.lines(lines) }))
            .await?;
        let cart = &created.data()["cartCreate"];
        assert_eq!(cart["userErrors"], json!([]), "{cart}");
        Ok(cart["cart"]["id"].as_str().unwrap().to_owned())
    }

    pub(crate) fn lines(&self, lines: &[(usize, i32)]) -> Value {
        lines
            .iter()
            .map(|&(item, quantity)| json!({ "variantId": self.items[item].id, "quantity": quantity }))
            .collect()
    }

    pub(crate) async fn add(
        &self,
        token: Option<&str>,
        cart: &str,
        lines: Value,
    ) -> anyhow::Result<GraphqlResponse> {
        let query = mutation(
            "cartLinesAdd",
            "cartId: $cart, lines: $lines",
            "$cart: ID!, $lines: [CartLineInput!]!",
        );
        self.server
            .graphql_as(token, &query, json!({ "cart": cart, "lines": lines }))
            .await
    }

    pub(crate) async fn read(&self, token: Option<&str>, cart: &str) -> anyhow::Result<Value> {
        let query = format!("query($id: ID!) {{ cart(id: $id) {{ {CART_FIELDS} }} }}");
        let response = self
            .server
            .graphql_as(token, &query, json!({ "id": cart }))
            .await?;
        Ok(response.data()["cart"].clone())
    }

    pub(crate) async fn codes(
        &self,
        cart: &str,
        codes: &[&str],
    ) -> anyhow::Result<GraphqlResponse> {
        self.codes_as(None, cart, codes).await
    }

    /// `cartDiscountCodesUpdate` as the viewer of `token`.
    pub(crate) async fn codes_as(
        &self,
        token: Option<&str>,
        cart: &str,
        codes: &[&str],
    ) -> anyhow::Result<GraphqlResponse> {
        self.server
            .graphql_as(
                token,
                &codes_mutation(),
                json!({ "cart": cart, "codes": codes }),
            )
            .await
    }

    /// A discount written straight to the database (staff mutations are tested elsewhere).
    pub(crate) async fn discount(
        &self,
        code: &str,
        kind: DiscountKind,
        value: i64,
    ) -> anyhow::Result<discount::ActiveModel> {
        let now = chrono::Utc::now();
        Ok(discount::ActiveModel {
            id: Set(Uuid::now_v7()),
            code: Set(code.to_owned()),
            kind: Set(kind),
            value: Set(value),
            currency_code: Set(None),
            minimum_subtotal: Set(None),
            starts_at: Set(None),
            ends_at: Set(None),
            usage_limit: Set(None),
            usage_count: Set(0),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        })
    }
}

/// Sets the item's stock to exactly `on_hand` in the first warehouse (none elsewhere).
pub(crate) async fn set_stock(
    db: &DatabaseConnection,
    item: &Item,
    on_hand: i32,
) -> anyhow::Result<()> {
    stock_level::Entity::delete_many()
        .filter(stock_level::Column::VariantId.eq(item.uuid))
        .exec(db)
        .await?;
    let warehouse = warehouse::Entity::find()
        .order_by_asc(warehouse::Column::Code)
        .one(db)
        .await?
        .unwrap();
    stock_level::ActiveModel {
        variant_id: Set(item.uuid),
        warehouse_id: Set(warehouse.id),
        on_hand: Set(on_hand),
        allocated: Set(0),
        updated_at: Set(chrono::Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The payload of mutation `name`, asserting it succeeded.
pub(crate) fn accepted<'a>(response: &'a GraphqlResponse, name: &str) -> &'a Value {
    let payload = &response.data()[name];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    &payload["cart"]
}

/// The user errors of mutation `name`, asserting there is no cart.
pub(crate) fn refused<'a>(response: &'a GraphqlResponse, name: &str) -> &'a Vec<Value> {
    let payload = &response.data()[name];
    assert_eq!(payload["cart"], Value::Null, "{payload}");
    let errors = payload["userErrors"].as_array().unwrap();
    assert!(!errors.is_empty(), "{payload}");
    errors
}

pub(crate) fn amount(value: &Value) -> &str {
    value["amount"].as_str().unwrap()
}
