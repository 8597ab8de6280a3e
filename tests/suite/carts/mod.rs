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

use e2e::{
    Admin, Backend, CartId, Client, GraphqlResponse, ProductId, TestServer, VariantId, VariantSpec,
    WarehouseId, e2e,
};
use entities::discount;
use entities::enums::{DiscountKind, ProductStatus};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use serde_json::{Value, json};
use std::fmt::Display;
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
  buyerIdentity { email customerId shippingAddress { city countryCode zip } billingAddress { city countryCode } }
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

/// A variant the test controls: the only variant of its product.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Item {
    pub(crate) variant: VariantId,
    pub(crate) product: ProductId,
}

pub(crate) struct Shop {
    pub(crate) server: TestServer,
    pub(crate) db: DatabaseConnection,
    pub(crate) admin: Admin,
    pub(crate) guest: Client,
    /// The only warehouse.
    pub(crate) warehouse: WarehouseId,
    pub(crate) items: Vec<Item>,
}

impl Shop {
    /// A server (with `configure` applied) on an empty catalog, and `prices.len()` active
    /// products that staff create, one variant each, priced in USD at `prices` (minor units)
    /// with 10 units in the only warehouse.
    pub(crate) async fn open(
        backend: Backend,
        prices: &[i64],
        configure: impl FnOnce(&mut shopgraph::config::Config),
    ) -> anyhow::Result<Self> {
        let server = TestServer::start(backend, 0, |config| {
            config.auth.admin_email = Some(e2e::ADMIN_EMAIL.to_owned());
            config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.to_owned());
            configure(config);
        })
        .await?;
        let admin = server.admin().await?;
        let warehouse = admin.create_warehouse("MAIN").await?;
        let mut items = Vec::new();
        for (n, price) in prices.iter().enumerate() {
            let product = admin
                .product(format!("Item {n}"))
                .variant(
                    VariantSpec::new(format!("ITEM-{n}"))
                        .price("USD", *price)
                        .stock(warehouse, 10),
                )
                .create()
                .await?;
            items.push(Item {
                variant: product.variants[0].id,
                product: product.id,
            });
        }
        Ok(Self {
            db: server.app.app.db.clone(),
            guest: server.guest(),
            server,
            admin,
            warehouse,
            items,
        })
    }

    /// `cartCreate` as `viewer`.
    pub(crate) async fn create(
        &self,
        viewer: &Client,
        input: Value,
    ) -> anyhow::Result<GraphqlResponse> {
        let query = mutation("cartCreate", "input: $input", "$input: CartCreateInput");
        viewer.graphql(&query, json!({ "input": input })).await
    }

    /// A new guest cart with `lines` (item index, quantity).
    pub(crate) async fn cart_with(&self, lines: &[(usize, i32)]) -> anyhow::Result<CartId> {
        self.cart_of(&self.guest, lines).create().await
    }

    /// A cart of `viewer`'s with `lines` (item index, quantity), to finish and create.
    pub(crate) fn cart_of<'a>(
        &self,
        viewer: &'a Client,
        lines: &[(usize, i32)],
    ) -> e2e::CartBuilder<'a> {
        lines.iter().fold(viewer.cart(), |cart, &(item, quantity)| {
            cart.line(self.items[item].variant, quantity)
        })
    }

    /// `CartLineInput`s for `lines` (item index, quantity).
    pub(crate) fn lines(&self, lines: &[(usize, i32)]) -> Value {
        lines
            .iter()
            .map(|&(item, quantity)| json!({ "variantId": self.items[item].variant.to_string(), "quantity": quantity }))
            .collect()
    }

    pub(crate) async fn add(
        &self,
        viewer: &Client,
        cart: impl Display,
        lines: Value,
    ) -> anyhow::Result<GraphqlResponse> {
        let query = mutation(
            "cartLinesAdd",
            "cartId: $cart, lines: $lines",
            "$cart: ID!, $lines: [CartLineInput!]!",
        );
        viewer
            .graphql(&query, json!({ "cart": cart.to_string(), "lines": lines }))
            .await
    }

    /// The cart as `viewer` reads it (`null` when not theirs to read).
    pub(crate) async fn read(&self, viewer: &Client, cart: impl Display) -> anyhow::Result<Value> {
        let query = format!("query($id: ID!) {{ cart(id: $id) {{ {CART_FIELDS} }} }}");
        let response = viewer
            .graphql(&query, json!({ "id": cart.to_string() }))
            .await?;
        Ok(response.data()["cart"].clone())
    }

    /// `cartDiscountCodesUpdate` as a guest.
    pub(crate) async fn codes(
        &self,
        cart: impl Display,
        codes: &[&str],
    ) -> anyhow::Result<GraphqlResponse> {
        self.codes_as(&self.guest, cart, codes).await
    }

    /// `cartDiscountCodesUpdate` as `viewer`.
    pub(crate) async fn codes_as(
        &self,
        viewer: &Client,
        cart: impl Display,
        codes: &[&str],
    ) -> anyhow::Result<GraphqlResponse> {
        viewer
            .graphql(
                &codes_mutation(),
                json!({ "cart": cart.to_string(), "codes": codes }),
            )
            .await
    }

    /// Sets item `index`'s stock to exactly `on_hand` (staff's `stockSet`).
    pub(crate) async fn set_stock(&self, index: usize, on_hand: i32) -> anyhow::Result<()> {
        self.admin
            .set_stock(self.items[index].variant, self.warehouse, on_hand)
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
