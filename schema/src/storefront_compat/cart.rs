//! `Cart` as Shopify's Storefront API shapes it: lines as a connection whose `merchandise` is
//! a union (of `ProductVariant`), `cost` with `subtotalAmount`/`totalAmount`/`totalTaxAmount`,
//! and the buyer identity. Built from the same computed `CartView` as `/graphql`'s `Cart`,
//! so its fields cost no statements of their own (besides the merchandise's product).

use super::connection::{BaseCartLineConnection, IN_MEMORY_LIST_COST, ListArgs, Listed};
use super::ids::gid;
use super::in_context::CountryCode;
use super::money::MoneyV2;
use super::product::ProductVariant;
use crate::carts::service::checkout_url;
use crate::carts::service::view::{CartView, LineView};
use crate::common::money::CurrencyCode;
use crate::context::ContextExt;
use crate::pricing::Applicability;
use async_graphql::{Context, ID, Object, Result, SimpleObject, Union};
use chrono::{DateTime, Utc};

pub struct Cart {
    view: CartView,
}

impl Cart {
    pub fn new(view: CartView) -> Self {
        Self { view }
    }

    fn money(&self, minor: i64) -> MoneyV2 {
        MoneyV2::from_minor(minor, self.view.currency)
    }
}

#[derive(SimpleObject)]
pub struct CartCost {
    /// Before cart-level discounts, shipping and tax.
    pub subtotal_amount: MoneyV2,
    pub total_amount: MoneyV2,
    pub total_tax_amount: Option<MoneyV2>,
    pub total_duty_amount: Option<MoneyV2>,
    /// What the buyer pays at checkout.
    pub checkout_charge_amount: MoneyV2,
}

#[derive(SimpleObject)]
pub struct CartDiscountCode {
    pub code: String,
    pub applicable: bool,
}

#[derive(SimpleObject)]
pub struct CartBuyerIdentity {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country_code: Option<CountryCode>,
}

#[Object]
impl Cart {
    async fn id(&self) -> ID {
        ID(gid("Cart", self.view.cart.id))
    }

    /// The hosted checkout page of this cart (`PUBLIC_URL/checkout/<cart id>`).
    async fn checkout_url(&self, ctx: &Context<'_>) -> Result<String> {
        let public_url = &ctx.state()?.settings.public_url;
        Ok(checkout_url(public_url, self.view.cart.id))
    }

    async fn cost(&self) -> CartCost {
        let totals = self.view.priced.totals;
        CartCost {
            subtotal_amount: self.money(totals.subtotal),
            total_amount: self.money(totals.total),
            total_tax_amount: Some(self.money(totals.tax)),
            total_duty_amount: None,
            checkout_charge_amount: self.money(totals.total),
        }
    }

    #[graphql(complexity = "IN_MEMORY_LIST_COST * child_complexity + 1")]
    async fn lines(
        &self,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<BaseCartLineConnection> {
        let lines = self
            .view
            .lines
            .iter()
            .map(|line| CartLine {
                line: line.clone(),
                currency: self.view.currency,
            })
            .collect();
        let args = ListArgs {
            first,
            after,
            last,
            before,
            reverse,
        };
        Ok(Listed::slice(lines, &args)?.into())
    }

    async fn total_quantity(&self) -> i64 {
        self.view.total_quantity()
    }

    async fn discount_codes(&self) -> Vec<CartDiscountCode> {
        self.view
            .priced
            .codes
            .iter()
            .map(|(code, applicability)| CartDiscountCode {
                code: code.clone(),
                applicable: *applicability == Applicability::Applies,
            })
            .collect()
    }

    async fn buyer_identity(&self) -> CartBuyerIdentity {
        let cart = &self.view.cart;
        let address = cart.shipping_address.as_ref();
        CartBuyerIdentity {
            email: cart.email.clone(),
            phone: address.and_then(|a| a.phone.clone()),
            country_code: address.and_then(|a| {
                use async_graphql::InputType;
                CountryCode::parse(Some(async_graphql::Value::Enum(async_graphql::Name::new(
                    &a.country_code,
                ))))
                .ok()
            }),
        }
    }

    async fn note(&self) -> Option<String> {
        None
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.view.cart.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.view.cart.updated_at
    }
}

/// What a cart line buys: a product variant.
#[derive(Union)]
pub enum Merchandise {
    ProductVariant(ProductVariant),
}

#[derive(Clone)]
pub struct CartLine {
    line: LineView,
    currency: CurrencyCode,
}

#[derive(SimpleObject)]
pub struct CartLineCost {
    pub amount_per_quantity: MoneyV2,
    pub compare_at_amount_per_quantity: Option<MoneyV2>,
    pub subtotal_amount: MoneyV2,
    /// Discounts apply to the whole cart, not to lines: the same as the subtotal.
    pub total_amount: MoneyV2,
}

#[Object]
impl CartLine {
    async fn id(&self) -> ID {
        ID(gid("CartLine", self.line.line.id))
    }

    async fn quantity(&self) -> i32 {
        self.line.line.quantity
    }

    /// Current prices in the cart's currency (zero when the variant lost its price: the line
    /// then cannot be checked out).
    async fn cost(&self) -> CartLineCost {
        let unit = self.line.unit_price.unwrap_or(0);
        let subtotal = unit
            .checked_mul(i64::from(self.line.line.quantity))
            .unwrap_or(0);
        let money = |minor| MoneyV2::from_minor(minor, self.currency);
        CartLineCost {
            amount_per_quantity: money(unit),
            compare_at_amount_per_quantity: self.line.compare_at_price.map(money),
            subtotal_amount: money(subtotal),
            total_amount: money(subtotal),
        }
    }

    async fn merchandise(&self) -> Merchandise {
        Merchandise::ProductVariant(ProductVariant::from_line(
            self.line.variant.clone(),
            self.currency,
            self.line
                .unit_price
                .map(|unit| (unit, self.line.compare_at_price)),
            self.line.available,
        ))
    }
}
