//! Builders for what tests set up through the API: products (with variants, prices and
//! stock, created by staff) and carts (lines, buyer details, discount codes). Each fails the
//! test when the server refuses, and returns typed ids.

use super::ids::{CartId, ProductId, VariantId, WarehouseId};
use super::roles::{Admin, Client};
use serde_json::{Value, json};

/// An amount in minor units (cents) as the API writes it: 1999 → "19.99".
pub fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!("{sign}{}.{:02}", minor / 100, minor % 100)
}

/// One variant of a product to create.
#[derive(Clone, Debug)]
pub struct VariantSpec {
    sku: String,
    prices: Vec<(String, String)>,
    stock: Vec<(WarehouseId, i32)>,
}

impl VariantSpec {
    pub fn new(sku: impl Into<String>) -> Self {
        Self {
            sku: sku.into(),
            prices: Vec::new(),
            stock: Vec::new(),
        }
    }

    /// A price in `currency` (e.g. "USD"), in minor units.
    pub fn price(mut self, currency: &str, minor: i64) -> Self {
        self.prices.push((currency.to_owned(), decimal(minor)));
        self
    }

    /// Units on hand in `warehouse`.
    pub fn stock(mut self, warehouse: WarehouseId, on_hand: i32) -> Self {
        self.stock.push((warehouse, on_hand));
        self
    }

    fn input(&self) -> Value {
        let prices: Vec<Value> = self
            .prices
            .iter()
            .map(|(currency, amount)| json!({ "amount": amount, "currencyCode": currency }))
            .collect();
        let stock: Vec<Value> = self
            .stock
            .iter()
            .map(|(warehouse, n)| json!({ "warehouseId": warehouse.to_string(), "onHand": n }))
            .collect();
        json!({ "sku": self.sku, "prices": prices, "stock": stock })
    }
}

/// A product to create through `productCreate` (ACTIVE unless told otherwise).
pub struct ProductBuilder<'a> {
    admin: &'a Admin,
    name: String,
    status: &'static str,
    variants: Vec<VariantSpec>,
}

/// A created product.
#[derive(Clone, Debug)]
pub struct Product {
    pub id: ProductId,
    pub slug: String,
    /// In the order they were given.
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug)]
pub struct Variant {
    pub id: VariantId,
    pub sku: String,
}

impl Admin {
    /// Starts a product named `name`; add variants, then `create`.
    pub fn product(&self, name: impl Into<String>) -> ProductBuilder<'_> {
        ProductBuilder {
            admin: self,
            name: name.into(),
            status: "ACTIVE",
            variants: Vec::new(),
        }
    }
}

impl ProductBuilder<'_> {
    /// `DRAFT`, `ACTIVE` or `ARCHIVED`.
    pub fn status(mut self, status: &'static str) -> Self {
        self.status = status;
        self
    }

    pub fn variant(mut self, variant: VariantSpec) -> Self {
        self.variants.push(variant);
        self
    }

    pub async fn create(self) -> anyhow::Result<Product> {
        let variants: Vec<Value> = self.variants.iter().map(VariantSpec::input).collect();
        let input = json!({ "name": self.name, "status": self.status, "variants": variants });
        let created = self
            .admin
            .mutate_ok(
                "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id slug variants { id sku } } userErrors { field code message } } }",
                json!({ "input": input }),
            )
            .await?;
        let product = &created["product"];
        let variants = product["variants"].as_array().cloned().unwrap_or_default();
        Ok(Product {
            id: ProductId::of(&product["id"]),
            slug: product["slug"].as_str().unwrap_or_default().to_owned(),
            variants: variants
                .iter()
                .map(|v| Variant {
                    id: VariantId::of(&v["id"]),
                    sku: v["sku"].as_str().unwrap_or_default().to_owned(),
                })
                .collect(),
        })
    }
}

/// The email and shipping address `CartBuilder::ready` gives a cart.
pub const BUYER_EMAIL: &str = "buyer@example.com";

/// A cart to create for a viewer (a guest cart for a guest, the customer's own otherwise).
pub struct CartBuilder<'a> {
    client: &'a Client,
    lines: Vec<(VariantId, i32)>,
    buyer: Option<Value>,
    codes: Vec<String>,
}

impl Client {
    /// Starts a cart of this viewer's; add lines and details, then `create`.
    pub fn cart(&self) -> CartBuilder<'_> {
        CartBuilder {
            client: self,
            lines: Vec::new(),
            buyer: None,
            codes: Vec::new(),
        }
    }
}

impl CartBuilder<'_> {
    pub fn line(mut self, variant: VariantId, quantity: i32) -> Self {
        self.lines.push((variant, quantity));
        self
    }

    /// Buyer details (a `CartBuyerIdentityInput`), set after the lines.
    pub fn buyer(mut self, buyer: Value) -> Self {
        self.buyer = Some(buyer);
        self
    }

    /// The email and shipping address a storefront collects before checkout.
    pub fn ready(self) -> Self {
        self.buyer(json!({
            "email": BUYER_EMAIL,
            "shippingAddress": { "address1": "1 Main St", "city": "Springfield", "zip": "12345", "countryCode": "US" }
        }))
    }

    /// Discount codes to apply last.
    pub fn codes(mut self, codes: &[&str]) -> Self {
        self.codes = codes.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    /// Creates the cart with each step accepted; returns its id.
    pub async fn create(self) -> anyhow::Result<CartId> {
        let lines: Vec<Value> = self
            .lines
            .iter()
            .map(|(variant, quantity)| json!({ "variantId": variant.to_string(), "quantity": quantity }))
            .collect();
        let created = self
            .client
            .mutate_ok(
                "mutation($input: CartCreateInput) { cartCreate(input: $input) { cart { id } userErrors { field code message } } }",
                json!({ "input": { "lines": lines } }),
            )
            .await?;
        let cart = CartId::of(&created["cart"]["id"]);
        if let Some(buyer) = self.buyer {
            self.client
                .mutate_ok(
                    "mutation($cart: ID!, $buyer: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartId: $cart, buyerIdentity: $buyer) { userErrors { field code message } } }",
                    json!({ "cart": cart.to_string(), "buyer": buyer }),
                )
                .await?;
        }
        if !self.codes.is_empty() {
            self.client
                .mutate_ok(
                    "mutation($cart: ID!, $codes: [String!]!) { cartDiscountCodesUpdate(cartId: $cart, discountCodes: $codes) { userErrors { field code message } } }",
                    json!({ "cart": cart.to_string(), "codes": self.codes }),
                )
                .await?;
        }
        Ok(cart)
    }
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn writes_minor_units_as_decimals() {
        assert_eq!(decimal(1999), "19.99");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(decimal(0), "0.00");
        assert_eq!(decimal(-250), "-2.50");
    }
}
