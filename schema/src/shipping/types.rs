//! Shipping types: zones and methods for staff, and methods as a cart offers them.

use super::service::rates::{MethodInfo, Offer};
use crate::common::money::{CurrencyCode, Decimal, Money};
use crate::common::user_error::UserError;
use async_graphql::{ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{shipping_method, shipping_zone};

/// The countries a set of shipping methods serves.
pub struct ShippingZone {
    pub zone: shipping_zone::Model,
    pub methods: Vec<shipping_method::Model>,
}

#[Object]
impl ShippingZone {
    async fn id(&self) -> ID {
        ID(self.zone.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.zone.name
    }

    /// ISO 3166 alpha-2 codes of the shipping addresses it serves.
    async fn countries(&self) -> &[String] {
        &self.zone.countries.0
    }

    /// Every method of the zone, inactive ones too, by name.
    async fn methods(&self) -> Vec<ShippingMethod> {
        let mut methods: Vec<ShippingMethod> = self
            .methods
            .iter()
            .map(|m| ShippingMethod::listed(MethodInfo::configured(m)))
            .collect();
        methods.sort_by(|a, b| a.info.name.cmp(&b.info.name));
        methods
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.zone.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.zone.updated_at
    }
}

/// What a method costs a particular cart.
#[derive(Clone, Copy, Debug)]
pub struct CostForCart {
    pub currency: CurrencyCode,
    /// After the free-above threshold and free-shipping codes.
    pub amount: i64,
}

/// A way to ship. Reached through a cart, `price` and `freeAbove` default to the cart's
/// currency and `cost` says what it would cost that cart.
pub struct ShippingMethod {
    info: MethodInfo,
    cart: Option<CostForCart>,
}

impl ShippingMethod {
    /// As staff list it (no cart).
    pub fn listed(info: MethodInfo) -> Self {
        Self { info, cart: None }
    }

    /// As a cart offers it, with what it would cost the cart now.
    pub fn offered(offer: &Offer, cost: CostForCart) -> Self {
        Self {
            info: offer.method.clone(),
            cart: Some(cost),
        }
    }

    fn currency(&self, asked: Option<CurrencyCode>) -> Option<CurrencyCode> {
        asked.or(self.cart.map(|c| c.currency))
    }
}

#[Object]
impl ShippingMethod {
    /// A UUID, or `flat-rate` for the built-in method used while no zone is configured.
    async fn id(&self) -> ID {
        ID(self.info.id.to_id_string())
    }

    async fn name(&self) -> &str {
        &self.info.name
    }

    async fn description(&self) -> Option<&str> {
        self.info.description.as_deref()
    }

    /// The price in `currency` (through a cart, the cart's by default); null when the method
    /// is not sold in it.
    async fn price(&self, currency: Option<CurrencyCode>) -> Option<Money> {
        let currency = self.currency(currency)?;
        let charge = self.info.charge(currency)?;
        Some(Money::from_minor(charge.price, currency))
    }

    /// Shipping is free once the goods (after discounts) reach this, in `currency` (through a
    /// cart, the cart's by default); null when never free.
    async fn free_above(&self, currency: Option<CurrencyCode>) -> Option<Money> {
        let currency = self.currency(currency)?;
        let threshold = self.info.charge(currency)?.free_above?;
        Some(Money::from_minor(threshold, currency))
    }

    /// What this method would cost the cart it was reached through, now (free above the
    /// threshold or with a free-shipping code); null outside a cart.
    async fn cost(&self) -> Option<Money> {
        self.cart
            .map(|cart| Money::from_minor(cart.amount, cart.currency))
    }

    /// Every currency it is sold in.
    async fn prices(&self) -> Vec<ShippingMethodPrice> {
        self.info
            .prices
            .iter()
            .map(|(currency, charge)| ShippingMethodPrice {
                currency_code: *currency,
                price: Money::from_minor(charge.price, *currency),
                free_above: charge.free_above.map(|f| Money::from_minor(f, *currency)),
            })
            .collect()
    }

    async fn min_delivery_days(&self) -> Option<i32> {
        self.info.min_delivery_days
    }

    async fn max_delivery_days(&self) -> Option<i32> {
        self.info.max_delivery_days
    }

    /// Inactive methods are offered to no cart.
    async fn active(&self) -> bool {
        self.info.active
    }

    /// The zone it belongs to (null for the built-in flat rate).
    async fn zone_id(&self) -> Option<ID> {
        self.info.zone_id.map(|id| ID(id.to_string()))
    }
}

#[derive(SimpleObject)]
pub struct ShippingMethodPrice {
    pub currency_code: CurrencyCode,
    pub price: Money,
    pub free_above: Option<Money>,
}

#[derive(InputObject, Clone, Debug)]
pub struct ShippingZoneCreateInput {
    pub name: String,
    /// ISO 3166 alpha-2 codes, e.g. `["DE", "AT"]`.
    pub countries: Vec<String>,
}

#[derive(InputObject, Clone, Debug)]
pub struct ShippingZoneUpdateInput {
    pub name: Option<String>,
    /// Replaces the whole list.
    pub countries: Option<Vec<String>>,
}

#[derive(InputObject, Clone, Copy, Debug)]
pub struct ShippingMethodPriceInput {
    pub currency_code: CurrencyCode,
    pub price: Decimal,
    /// Free once the goods (after discounts) reach this; leave it out for never.
    pub free_above: Option<Decimal>,
}

#[derive(InputObject, Clone, Debug)]
pub struct ShippingMethodCreateInput {
    pub zone_id: ID,
    pub name: String,
    pub description: Option<String>,
    /// One per currency the method is sold in; carts in other currencies do not see it.
    pub prices: Vec<ShippingMethodPriceInput>,
    pub min_delivery_days: Option<i32>,
    pub max_delivery_days: Option<i32>,
    /// Defaults to true.
    pub active: Option<bool>,
}

#[derive(InputObject, Clone, Debug)]
pub struct ShippingMethodUpdateInput {
    pub name: Option<String>,
    /// `null` clears it.
    pub description: MaybeUndefined<String>,
    /// Replaces the whole list.
    pub prices: Option<Vec<ShippingMethodPriceInput>>,
    /// `null` clears it.
    pub min_delivery_days: MaybeUndefined<i32>,
    /// `null` clears it.
    pub max_delivery_days: MaybeUndefined<i32>,
    pub active: Option<bool>,
}

#[derive(SimpleObject)]
pub struct ShippingZonePayload {
    pub shipping_zone: Option<ShippingZone>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct ShippingZoneDeletePayload {
    pub deleted_shipping_zone_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct ShippingMethodPayload {
    pub shipping_method: Option<ShippingMethod>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct ShippingMethodDeletePayload {
    pub deleted_shipping_method_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}
