//! Which ways of shipping serve a cart, and what each costs it.
//!
//! The whole configuration (every zone with its methods) is read in one statement per cart
//! view: it is small (bounded by `MAX_ZONES` × `MAX_METHODS_PER_ZONE`) and a cart needs the
//! zones of its address's country anyway. With no zone configured at all, the built-in flat
//! rate (`SHIPPING_RATES`, `FREE_SHIPPING_OVER`) is the one method, chosen for every cart
//! without asking, so shops that never set up zones behave as before. Once a zone exists, the
//! buyer chooses (`cartShippingMethodUpdate`) among the methods that serve the address's
//! country in the cart's currency, and a choice that stops applying is reported, never
//! silently swapped for another method.

use crate::common::money::CurrencyCode;
use crate::error::ApiResult;
use crate::pricing::{PricingSettings, ShippingCharge};
use entities::{shipping_method, shipping_zone};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use uuid::Uuid;

/// The id the built-in flat rate goes by.
pub const FLAT_RATE_ID: &str = "flat-rate";
/// What the built-in flat rate is called (and what orders shipped with it record).
pub const FLAT_RATE_NAME: &str = "Standard shipping";

/// Which method: a configured one, or the built-in flat rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodId {
    FlatRate,
    Configured(Uuid),
}

impl MethodId {
    /// `flat-rate` or a method's UUID; anything else is no method.
    pub fn parse(text: &str) -> Option<Self> {
        if text == FLAT_RATE_ID {
            return Some(Self::FlatRate);
        }
        Uuid::parse_str(text).ok().map(Self::Configured)
    }

    /// The method's id as GraphQL shows it.
    pub fn to_id_string(self) -> String {
        match self {
            Self::FlatRate => FLAT_RATE_ID.to_owned(),
            Self::Configured(id) => id.to_string(),
        }
    }

    /// What a cart or an order stores: nothing for the flat rate.
    pub fn stored(self) -> Option<Uuid> {
        match self {
            Self::FlatRate => None,
            Self::Configured(id) => Some(id),
        }
    }
}

/// A way to ship as shoppers and staff see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodInfo {
    pub id: MethodId,
    pub zone_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    pub min_delivery_days: Option<i32>,
    pub max_delivery_days: Option<i32>,
    pub active: bool,
    /// Its charge per currency (the flat rate has one in every currency).
    pub prices: Vec<(CurrencyCode, ShippingCharge)>,
}

impl MethodInfo {
    pub fn configured(method: &shipping_method::Model) -> Self {
        let prices = method
            .prices
            .0
            .iter()
            // A currency this version does not know cannot be a cart's: skipped.
            .filter_map(|p| {
                let currency = CurrencyCode::stored(&p.currency_code).ok()?;
                let charge = ShippingCharge {
                    price: p.amount,
                    free_above: p.free_above,
                };
                Some((currency, charge))
            })
            .collect();
        Self {
            id: MethodId::Configured(method.id),
            zone_id: Some(method.zone_id),
            name: method.name.clone(),
            description: method.description.clone(),
            min_delivery_days: method.min_delivery_days,
            max_delivery_days: method.max_delivery_days,
            active: method.active,
            prices,
        }
    }

    pub fn flat_rate(settings: &PricingSettings) -> Self {
        Self {
            id: MethodId::FlatRate,
            zone_id: None,
            name: FLAT_RATE_NAME.to_owned(),
            description: None,
            min_delivery_days: None,
            max_delivery_days: None,
            active: true,
            prices: CurrencyCode::ALL
                .into_iter()
                .map(|currency| (currency, settings.flat_rate(currency)))
                .collect(),
        }
    }

    pub fn charge(&self, currency: CurrencyCode) -> Option<ShippingCharge> {
        self.prices
            .iter()
            .find(|(c, _)| *c == currency)
            .map(|(_, charge)| *charge)
    }
}

/// A method that serves a cart, with its charge in the cart's currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub method: MethodInfo,
    pub charge: ShippingCharge,
}

/// Why a cart has no shipping method it can check out with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// Zones are configured and the buyer has not chosen yet.
    NotChosen,
    /// The chosen method no longer serves the cart (another country, switched off, no price
    /// in the currency, deleted).
    NoLongerApplies,
}

/// A cart's shipping: what it may choose and what it chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Cheapest first.
    pub offers: Vec<Offer>,
    /// The method the cart is priced with; `None` when `missing` says why.
    pub chosen: Option<Offer>,
    pub missing: Option<Missing>,
}

/// The shipping configuration: every zone with its methods.
#[derive(Clone, Debug, Default)]
pub struct Rates {
    zones: Vec<(shipping_zone::Model, Vec<shipping_method::Model>)>,
}

/// Reads every zone with its methods: one statement.
pub async fn load(db: &impl ConnectionTrait) -> ApiResult<Rates> {
    let zones = shipping_zone::Entity::find()
        .find_with_related(shipping_method::Entity)
        .order_by_asc(shipping_zone::Column::Name)
        .order_by_asc(shipping_zone::Column::Id)
        .all(db)
        .await?;
    Ok(Rates { zones })
}

impl Rates {
    pub fn zones(&self) -> &[(shipping_zone::Model, Vec<shipping_method::Model>)] {
        &self.zones
    }

    /// True when staff configured zones: the buyer must choose a method.
    pub fn configured(&self) -> bool {
        !self.zones.is_empty()
    }

    /// The active methods serving `country` with a price in `currency`, cheapest first. With
    /// no zones, the flat rate alone (whatever the country, even none yet); with zones and no
    /// country known, nothing.
    pub fn offers(
        &self,
        country: Option<&str>,
        currency: CurrencyCode,
        settings: &PricingSettings,
    ) -> Vec<Offer> {
        if !self.configured() {
            let method = MethodInfo::flat_rate(settings);
            let charge = settings.flat_rate(currency);
            return vec![Offer { method, charge }];
        }
        let Some(country) = country else {
            return Vec::new();
        };
        let mut offers: Vec<Offer> = Vec::new();
        let serving = self
            .zones
            .iter()
            .filter(|(zone, _)| zone.countries.0.iter().any(|c| c == country));
        for (_, methods) in serving {
            for method in methods.iter().filter(|m| m.active) {
                let info = MethodInfo::configured(method);
                if let Some(charge) = info.charge(currency) {
                    offers.push(Offer {
                        method: info,
                        charge,
                    });
                }
            }
        }
        offers.sort_by(|a, b| {
            (a.charge.price, &a.method.name).cmp(&(b.charge.price, &b.method.name))
        });
        offers
    }

    /// The cart's shipping: its offers and its choice (`stored`: the cart's
    /// `shipping_method_id`), judged now.
    pub fn select(
        &self,
        stored: Option<Uuid>,
        country: Option<&str>,
        currency: CurrencyCode,
        settings: &PricingSettings,
    ) -> Selection {
        let offers = self.offers(country, currency, settings);
        if !self.configured() {
            return Selection {
                chosen: offers.first().cloned(),
                offers,
                missing: None,
            };
        }
        let chosen = stored.and_then(|id| {
            offers
                .iter()
                .find(|o| o.method.id == MethodId::Configured(id))
                .cloned()
        });
        let missing = match (&chosen, stored) {
            (Some(_), _) => None,
            (None, None) => Some(Missing::NotChosen),
            (None, Some(_)) => Some(Missing::NoLongerApplies),
        };
        Selection {
            offers,
            chosen,
            missing,
        }
    }
}

#[cfg(test)]
mod tests;
