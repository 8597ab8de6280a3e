//! A cart as the shopper sees it: every line with its variant, current unit price and
//! availability, and the totals. Built with a fixed number of statements (lines, variants
//! with products, prices, availability, and discounts when codes are set), however many
//! lines the cart has, plus one for the shipping configuration).

use crate::common::clock::now;
use crate::common::money::CurrencyCode;
use crate::error::ApiResult;
use crate::inventory::service::availability;
use crate::pricing::{self, Priced, PricedLine, PricingSettings};
use crate::shipping::service::rates::{self, Rates, Selection};
use entities::enums::ProductStatus;
use entities::{cart, cart_line, discount, product, product_variant, variant_price};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

/// Why a line cannot be bought as it is (it stays in the cart, flagged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineProblem {
    /// Fewer units are available than the line asks for (maybe none).
    InsufficientStock,
    /// The product is no longer for sale (archived or back to draft).
    NotForSale,
    /// The variant has no price in the cart's currency any more.
    NoPrice,
}

#[derive(Clone, Debug)]
pub struct LineView {
    pub line: cart_line::Model,
    pub variant: product_variant::Model,
    pub product: product::Model,
    /// Current unit price in the cart's currency (minor units); `None` when it has none.
    pub unit_price: Option<i64>,
    pub compare_at_price: Option<i64>,
    /// Units available over all warehouses right now.
    pub available: i64,
    pub problem: Option<LineProblem>,
}

#[derive(Clone, Debug)]
pub struct CartView {
    pub cart: cart::Model,
    pub currency: CurrencyCode,
    pub lines: Vec<LineView>,
    pub priced: Priced,
    /// The discounts named by the cart's codes (for checkout to consume).
    pub discounts: Vec<discount::Model>,
    /// The shipping methods serving the cart and the one it is priced with.
    pub shipping: Selection,
}

impl CartView {
    pub fn total_quantity(&self) -> i64 {
        self.lines.iter().map(|l| i64::from(l.line.quantity)).sum()
    }

    /// Lines that cannot be bought as they are.
    pub fn problems(&self) -> impl Iterator<Item = &LineView> {
        self.lines.iter().filter(|l| l.problem.is_some())
    }
}

/// Catalog facts about some variants, for the cart's currency.
#[derive(Default)]
pub struct VariantFacts {
    pub variants: HashMap<Uuid, (product_variant::Model, product::Model)>,
    pub prices: HashMap<Uuid, variant_price::Model>,
    pub available: HashMap<Uuid, i64>,
}

/// Loads variants (with products), their prices in `currency` and availability: three
/// statements.
pub async fn variant_facts(
    db: &impl ConnectionTrait,
    variant_ids: &[Uuid],
    currency: CurrencyCode,
) -> ApiResult<VariantFacts> {
    let mut facts = catalog_facts(db, variant_ids, currency).await?;
    facts.available = available_now(db, variant_ids).await?;
    Ok(facts)
}

/// Units available per variant as the database has them now (never below zero): one
/// statement.
async fn available_now(
    db: &impl ConnectionTrait,
    variant_ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, i64>> {
    Ok(availability::totals(db, variant_ids)
        .await?
        .into_iter()
        .map(|(id, total)| (id, total.max(0)))
        .collect())
}

/// Variants with their products and prices in `currency`, without availability (checkout
/// takes that from the stock rows it locks): two statements.
pub async fn catalog_facts(
    db: &impl ConnectionTrait,
    variant_ids: &[Uuid],
    currency: CurrencyCode,
) -> ApiResult<VariantFacts> {
    if variant_ids.is_empty() {
        return Ok(VariantFacts::default());
    }
    let ids = || variant_ids.iter().copied();
    let variants = product_variant::Entity::find()
        .find_also_related(product::Entity)
        .filter(product_variant::Column::Id.is_in(ids()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(variant, product)| Some((variant.id, (variant, product?))))
        .collect();
    let prices = variant_price::Entity::find()
        .filter(variant_price::Column::VariantId.is_in(ids()))
        .filter(variant_price::Column::CurrencyCode.eq(currency.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|price| (price.variant_id, price))
        .collect();
    Ok(VariantFacts {
        variants,
        prices,
        available: HashMap::new(),
    })
}

/// The cart's lines, oldest first.
pub async fn lines_of(
    db: &impl ConnectionTrait,
    cart_id: Uuid,
) -> ApiResult<Vec<cart_line::Model>> {
    Ok(cart_line::Entity::find()
        .filter(cart_line::Column::CartId.eq(cart_id))
        .order_by_asc(cart_line::Column::CreatedAt)
        .order_by_asc(cart_line::Column::Id)
        .all(db)
        .await?)
}

/// The discounts named by `codes` (case-insensitive; codes are stored upper-case).
pub async fn discounts_named(
    db: &impl ConnectionTrait,
    codes: &[String],
) -> ApiResult<Vec<discount::Model>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(discount::Entity::find()
        .filter(discount::Column::Code.is_in(codes.iter().map(|c| c.to_uppercase())))
        .all(db)
        .await?)
}

/// A cart and its lines, before pricing.
pub struct CartContents {
    pub cart: cart::Model,
    pub currency: CurrencyCode,
    pub lines: Vec<cart_line::Model>,
}

impl CartContents {
    /// The variants in the cart (what availability must be known for).
    pub fn variant_ids(&self) -> Vec<Uuid> {
        self.lines.iter().map(|l| l.variant_id).collect()
    }
}

/// Reads the lines of `cart`: one statement.
pub async fn contents(db: &impl ConnectionTrait, cart: cart::Model) -> ApiResult<CartContents> {
    let currency = CurrencyCode::stored(&cart.currency_code)?;
    let lines = lines_of(db, cart.id).await?;
    Ok(CartContents {
        cart,
        currency,
        lines,
    })
}

/// The cart priced with this availability (units per variant): current catalog facts and
/// prices, its discount codes, problems flagged per line. Checkout passes the availability of
/// the stock rows it locked, so what it checks is what it allocates from.
pub async fn priced_with(
    db: &impl ConnectionTrait,
    contents: CartContents,
    available: HashMap<Uuid, i64>,
    settings: &PricingSettings,
) -> ApiResult<CartView> {
    let CartContents {
        cart,
        currency,
        lines,
    } = contents;
    let ids: Vec<Uuid> = lines.iter().map(|l| l.variant_id).collect();
    let mut facts = catalog_facts(db, &ids, currency).await?;
    facts.available = available;
    let discounts = discounts_named(db, &cart.discount_codes.0).await?;
    let rates = rates::load(db).await?;
    Ok(assemble(
        cart, currency, lines, &facts, discounts, &rates, settings,
    ))
}

/// The whole view of `cart` with current availability, reading everything it needs.
pub async fn view(
    db: &impl ConnectionTrait,
    cart: cart::Model,
    settings: &PricingSettings,
) -> ApiResult<CartView> {
    let rates = rates::load(db).await?;
    view_with_rates(db, cart, &rates, settings).await
}

/// Like [`view`], with the shipping configuration the caller already read.
pub async fn view_with_rates(
    db: &impl ConnectionTrait,
    cart: cart::Model,
    rates: &Rates,
    settings: &PricingSettings,
) -> ApiResult<CartView> {
    let CartContents {
        cart,
        currency,
        lines,
    } = contents(db, cart).await?;
    let ids: Vec<Uuid> = lines.iter().map(|l| l.variant_id).collect();
    let facts = variant_facts(db, &ids, currency).await?;
    let discounts = discounts_named(db, &cart.discount_codes.0).await?;
    Ok(assemble(
        cart, currency, lines, &facts, discounts, rates, settings,
    ))
}

/// Builds the view from data already read (writers reuse what they loaded).
pub fn assemble(
    cart: cart::Model,
    currency: CurrencyCode,
    lines: Vec<cart_line::Model>,
    facts: &VariantFacts,
    discounts: Vec<discount::Model>,
    rates: &Rates,
    settings: &PricingSettings,
) -> CartView {
    let lines: Vec<LineView> = lines
        .into_iter()
        .filter_map(|line| {
            // A line whose variant vanished is gone with it (the row cascades).
            let (variant, product) = facts.variants.get(&line.variant_id)?.clone();
            let price = facts.prices.get(&line.variant_id);
            let available = facts.available.get(&line.variant_id).copied().unwrap_or(0);
            let problem = if product.status != ProductStatus::Active {
                Some(LineProblem::NotForSale)
            } else if price.is_none() {
                Some(LineProblem::NoPrice)
            } else if available < i64::from(line.quantity) {
                Some(LineProblem::InsufficientStock)
            } else {
                None
            };
            Some(LineView {
                unit_price: price.map(|p| p.amount),
                compare_at_price: price.and_then(|p| p.compare_at_amount),
                line,
                variant,
                product,
                available,
                problem,
            })
        })
        .collect();
    let priced_lines: Vec<PricedLine> = lines
        .iter()
        .filter_map(|l| {
            Some(PricedLine {
                unit_price: l.unit_price?,
                quantity: l.line.quantity,
            })
        })
        .collect();
    let country = cart
        .shipping_address
        .as_ref()
        .map(|a| a.country_code.as_str());
    let shipping = rates.select(cart.shipping_method_id, country, currency, settings);
    let priced = pricing::price(
        &priced_lines,
        &cart.discount_codes.0,
        &discounts,
        currency,
        shipping.chosen.as_ref().map(|offer| offer.charge),
        settings,
        now(),
    );
    CartView {
        cart,
        currency,
        lines,
        priced,
        discounts,
        shipping,
    }
}
