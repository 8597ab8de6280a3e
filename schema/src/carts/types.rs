//! Cart types as storefronts see them. A `Cart` wraps a fully computed `CartView`, so its
//! fields cost no further statements (except the variant's own fields, through loaders).

use super::service::view::{CartView, LineProblem, LineView};
use crate::catalog::types::ProductVariant;
use crate::common::money::{CurrencyCode, Money};
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::pricing::Applicability;
use crate::shipping::service::rates::Offer;
use crate::shipping::types::{CostForCart, ShippingMethod};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entities::enums::{CartStatus, DiscountKind};
use entities::json::MailingAddress as StoredAddress;

pub struct Cart(pub CartView);

impl Cart {
    /// What `offer` would cost this cart now: nothing for an empty cart or with a free-shipping
    /// code, else its charge for the goods after discounts.
    pub fn shipping_cost(&self, offer: &Offer) -> CostForCart {
        let totals = self.0.priced.totals;
        let waived = self.0.lines.is_empty()
            || self
                .0
                .priced
                .applied
                .iter()
                .any(|d| d.kind == DiscountKind::FreeShipping);
        let amount = if waived {
            0
        } else {
            offer.charge.due(totals.subtotal - totals.discount)
        };
        CostForCart {
            currency: self.0.currency,
            amount,
        }
    }
}

#[Object]
impl Cart {
    async fn id(&self) -> ID {
        ID(self.0.cart.id.to_string())
    }

    async fn currency_code(&self) -> CurrencyCode {
        self.0.currency
    }

    /// `ACTIVE` while it can change; `CONVERTED` once checked out (or merged into a signed-in
    /// customer's cart).
    async fn status(&self) -> CartStatusValue {
        match self.0.cart.status {
            CartStatus::Active => CartStatusValue::Active,
            CartStatus::Converted => CartStatusValue::Converted,
        }
    }

    async fn lines(&self) -> Vec<CartLine> {
        self.0
            .lines
            .iter()
            .map(|line| CartLine {
                line: line.clone(),
                currency: self.0.currency,
            })
            .collect()
    }

    /// Units over all lines.
    async fn total_quantity(&self) -> i64 {
        self.0.total_quantity()
    }

    async fn discount_codes(&self) -> Vec<CartDiscountCode> {
        self.0
            .priced
            .codes
            .iter()
            .map(|(code, applicability)| CartDiscountCode {
                code: code.clone(),
                applicable: *applicability == Applicability::Applies,
                reason: match applicability {
                    Applicability::Applies => None,
                    Applicability::NotApplicable(reason) => Some(reason.clone()),
                },
            })
            .collect()
    }

    async fn cost(&self) -> CartCost {
        let totals = self.0.priced.totals;
        let money = |minor| Money::from_minor(minor, self.0.currency);
        CartCost {
            subtotal: money(totals.subtotal),
            discount_total: money(totals.discount),
            shipping_total: money(totals.shipping),
            tax_total: money(totals.tax),
            total: money(totals.total),
        }
    }

    /// The ways to ship this cart: the active methods serving its shipping address's country
    /// with a price in its currency, cheapest first, each with what it would cost the cart
    /// now. With no shipping zones configured, the built-in flat rate (`flat-rate`) alone;
    /// with zones and no address yet, none.
    async fn available_shipping_methods(&self) -> Vec<ShippingMethod> {
        self.0
            .shipping
            .offers
            .iter()
            .map(|offer| ShippingMethod::offered(offer, self.shipping_cost(offer)))
            .collect()
    }

    /// The method the cart is priced with: the buyer's choice while it still serves the cart
    /// (or the built-in flat rate when no zones are configured). Null until one is chosen, or
    /// when the choice no longer applies: `shippingTotal` is then zero and checkout asks for
    /// a method.
    async fn shipping_method(&self) -> Option<ShippingMethod> {
        let offer = self.0.shipping.chosen.as_ref()?;
        Some(ShippingMethod::offered(offer, self.shipping_cost(offer)))
    }

    async fn buyer_identity(&self) -> CartBuyerIdentity {
        CartBuyerIdentity {
            email: self.0.cart.email.clone(),
            shipping_address: self
                .0
                .cart
                .shipping_address
                .clone()
                .map(MailingAddress::from),
            billing_address: self
                .0
                .cart
                .billing_address
                .clone()
                .map(MailingAddress::from),
            customer_id: self.0.cart.customer_id.map(|id| ID(id.to_string())),
        }
    }

    /// The hosted checkout page of this cart, served by this server (`PUBLIC_URL`): email,
    /// address, shipping method, discount code and payment, then a live order status page.
    async fn checkout_url(&self, ctx: &Context<'_>) -> Result<String> {
        let public_url = &ctx.state()?.settings.public_url;
        Ok(super::service::checkout_url(public_url, self.0.cart.id))
    }

    /// True when every line can be bought as it is (and there is at least one).
    async fn ready_for_checkout(&self) -> bool {
        !self.0.lines.is_empty()
            && self.0.problems().next().is_none()
            && !self.0.priced.out_of_range
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.cart.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.cart.updated_at
    }
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "CartStatus")]
pub enum CartStatusValue {
    Active,
    Converted,
}

pub struct CartLine {
    line: LineView,
    currency: CurrencyCode,
}

#[Object]
impl CartLine {
    async fn id(&self) -> ID {
        ID(self.line.line.id.to_string())
    }

    async fn quantity(&self) -> i32 {
        self.line.line.quantity
    }

    async fn variant(&self) -> ProductVariant {
        ProductVariant::new(self.line.variant.clone(), self.currency)
    }

    /// Current prices; null when the variant is no longer priced in the cart's currency.
    async fn cost(&self) -> Option<CartLineCost> {
        let unit = self.line.unit_price?;
        // Null too when the subtotal does not fit (a price set before prices were bounded):
        // never a saturated amount.
        let subtotal = unit.checked_mul(i64::from(self.line.line.quantity))?;
        Some(CartLineCost {
            unit_price: Money::from_minor(unit, self.currency),
            compare_at_unit_price: self
                .line
                .compare_at_price
                .map(|p| Money::from_minor(p, self.currency)),
            subtotal: Money::from_minor(subtotal, self.currency),
        })
    }

    /// Units of this variant available now, over all warehouses.
    async fn quantity_available(&self) -> i64 {
        self.line.available
    }

    /// False when the line cannot be bought as it is; `problem` says why.
    async fn available_for_sale(&self) -> bool {
        self.line.problem.is_none()
    }

    async fn problem(&self) -> Option<CartLineProblem> {
        self.line.problem.map(|problem| match problem {
            LineProblem::InsufficientStock => CartLineProblem::InsufficientStock,
            LineProblem::NotForSale => CartLineProblem::NotForSale,
            LineProblem::NoPrice => CartLineProblem::NoPrice,
        })
    }
}

/// Why a line cannot be checked out as it is. Lines are flagged, never silently dropped.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CartLineProblem {
    /// Fewer units available than the line's quantity (`quantityAvailable` says how many).
    InsufficientStock,
    /// The product was archived or unpublished.
    NotForSale,
    /// The variant has no price in the cart's currency any more.
    NoPrice,
}

#[derive(SimpleObject)]
pub struct CartLineCost {
    pub unit_price: Money,
    pub compare_at_unit_price: Option<Money>,
    pub subtotal: Money,
}

#[derive(SimpleObject)]
pub struct CartCost {
    /// Σ unit price × quantity.
    pub subtotal: Money,
    pub discount_total: Money,
    pub shipping_total: Money,
    /// Exclusive tax (added to the total) or, with tax-inclusive prices, the tax they contain.
    pub tax_total: Money,
    pub total: Money,
}

#[derive(SimpleObject)]
pub struct CartDiscountCode {
    pub code: String,
    /// Whether it counts toward the totals now.
    pub applicable: bool,
    /// Why not, when it does not.
    pub reason: Option<String>,
}

#[derive(SimpleObject)]
pub struct CartBuyerIdentity {
    pub email: Option<String>,
    pub shipping_address: Option<MailingAddress>,
    /// Where the invoice goes; unset, the order bills the shipping address.
    pub billing_address: Option<MailingAddress>,
    /// The signed-in customer who owns the cart; null for a guest cart.
    pub customer_id: Option<ID>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct MailingAddress {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub province: Option<String>,
    pub zip: String,
    pub country_code: String,
    pub phone: Option<String>,
}

impl From<StoredAddress> for MailingAddress {
    fn from(a: StoredAddress) -> Self {
        Self {
            first_name: a.first_name,
            last_name: a.last_name,
            address1: a.address1,
            address2: a.address2,
            city: a.city,
            province: a.province,
            zip: a.zip,
            country_code: a.country_code,
            phone: a.phone,
        }
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct MailingAddressInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub province: Option<String>,
    pub zip: String,
    pub country_code: String,
    pub phone: Option<String>,
}

impl From<MailingAddressInput> for StoredAddress {
    fn from(a: MailingAddressInput) -> Self {
        Self {
            first_name: a.first_name,
            last_name: a.last_name,
            address1: a.address1,
            address2: a.address2,
            city: a.city,
            province: a.province,
            zip: a.zip,
            country_code: a.country_code,
            phone: a.phone,
        }
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct CartLineInput {
    pub variant_id: ID,
    pub quantity: i32,
}

#[derive(InputObject, Clone, Debug)]
pub struct CartLineUpdateInput {
    pub id: ID,
    pub quantity: i32,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct CartBuyerIdentityInput {
    pub email: Option<String>,
    pub shipping_address: Option<MailingAddressInput>,
    /// Leave it out to bill the shipping address.
    pub billing_address: Option<MailingAddressInput>,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct CartCreateInput {
    /// Defaults to the store's default currency.
    pub currency_code: Option<CurrencyCode>,
    pub lines: Option<Vec<CartLineInput>>,
    pub buyer_identity: Option<CartBuyerIdentityInput>,
}

#[derive(SimpleObject)]
pub struct CartPayload {
    pub cart: Option<Cart>,
    pub user_errors: Vec<UserError>,
}
