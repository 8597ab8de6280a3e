//! A cart as the shopper sees it: every line with its variant, current unit price and
//! availability, and the totals. Built with a fixed number of statements however many lines
//! the cart has: the lines joined with their variants, products, prices and availability (one
//! statement, which also brings the variants being added), the discounts when codes are set,
//! and the shipping configuration when the process holds none (`shipping::service::cache`).

use super::CartRules;
use crate::common::clock::now;
use crate::common::money::CurrencyCode;
use crate::error::ApiResult;
use crate::inventory::service::availability;
use crate::pricing::{self, Priced, PricedLine, PricingSettings};
use crate::shipping::service::rates::{self, Rates, Selection};
use entities::enums::ProductStatus;
use entities::{cart, cart_line, discount, product, product_variant, variant_price};
use sea_orm::sea_query::{Expr, IntoCondition, UnionType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, Iterable, JoinType,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationTrait, Select,
};
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

/// Whether a read of catalog facts carries the variants' availability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stock {
    /// As the database has it now (carts).
    Now,
    /// Left out: checkout takes it from the stock rows it locks.
    Skip,
}

/// One variant with its product, its price in the cart's currency (null when it has none)
/// and, when read, its availability. The columns of each table carry a prefix of their own
/// (`variant_id`, `product_id`, …), so no two tables' columns can collide in the row.
#[derive(Debug, FromQueryResult)]
struct FactsRow {
    #[sea_orm(nested(prefix = "variant_"))]
    variant: product_variant::Model,
    #[sea_orm(nested(prefix = "product_"))]
    product: product::Model,
    #[sea_orm(nested(prefix = "price_"))]
    price: Option<variant_price::Model>,
    /// Σ on hand − allocated; null without stock rows, or when not read.
    available: Option<i64>,
}

/// A cart line with the facts about its variant.
#[derive(Debug, FromQueryResult)]
struct LineRow {
    #[sea_orm(nested(prefix = "line_"))]
    line: cart_line::Model,
    #[sea_orm(nested)]
    facts: FactsRow,
}

/// Selects every column of `E` as `{prefix}{column}`.
fn columns_of<E: EntityTrait, S: EntityTrait>(mut select: Select<S>, prefix: &str) -> Select<S> {
    for column in E::Column::iter() {
        select = select.column_as(column, format!("{prefix}{}", column.as_str()));
    }
    select
}

/// `select` (of variants, or of rows joined to them) joined with the variants' products and
/// prices in `currency`, selecting the columns `FactsRow` reads. The price is a LEFT JOIN on
/// (variant, currency), its primary key: at most one row per variant, and a variant without
/// a price is kept (its line is flagged, not dropped).
fn with_facts<S: EntityTrait>(
    select: Select<S>,
    currency: CurrencyCode,
    stock: Stock,
) -> Select<S> {
    let code = currency.as_str().to_owned();
    let price =
        product_variant::Relation::VariantPrice
            .def()
            .on_condition(move |_variant, price| {
                // Spelled out: importing `ExprTrait` would shadow `Ord::max` below.
                sea_orm::sea_query::ExprTrait::eq(
                    Expr::col((price, variant_price::Column::CurrencyCode)),
                    code.clone(),
                )
                .into_condition()
            });
    let select = select
        .join(
            JoinType::InnerJoin,
            product_variant::Relation::Product.def(),
        )
        .join(JoinType::LeftJoin, price);
    let select = columns_of::<product_variant::Entity, _>(select, "variant_");
    let select = columns_of::<product::Entity, _>(select, "product_");
    let select = columns_of::<variant_price::Entity, _>(select, "price_");
    match stock {
        Stock::Now => select.expr_as(availability::total_of_variant_row(), "available"),
        // Typed, so that the column decodes as a null i64 on both databases.
        Stock::Skip => select.expr_as(Expr::cust("CAST(NULL AS BIGINT)"), "available"),
    }
}

impl VariantFacts {
    fn add(&mut self, row: FactsRow) {
        let id = row.variant.id;
        if let Some(price) = row.price {
            self.prices.insert(id, price);
        }
        // Never below zero, whatever the rows say.
        if let Some(total) = row.available {
            self.available.insert(id, total.max(0));
        }
        self.variants.insert(id, (row.variant, row.product));
    }
}

/// Loads variants (with products), their prices in `currency` and availability: one
/// statement.
pub async fn variant_facts(
    db: &impl ConnectionTrait,
    variant_ids: &[Uuid],
    currency: CurrencyCode,
) -> ApiResult<VariantFacts> {
    let mut facts = VariantFacts::default();
    if variant_ids.is_empty() {
        return Ok(facts);
    }
    let select = product_variant::Entity::find()
        .select_only()
        .filter(product_variant::Column::Id.is_in(variant_ids.iter().copied()));
    let rows = with_facts(select, currency, Stock::Now)
        .into_model::<FactsRow>()
        .all(db)
        .await?;
    for row in rows {
        facts.add(row);
    }
    Ok(facts)
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

/// A cart line, when the variant is in the cart, with the facts about its variant.
#[derive(Debug, FromQueryResult)]
struct MaybeLineRow {
    #[sea_orm(nested(prefix = "line_"))]
    line: Option<cart_line::Model>,
    #[sea_orm(nested)]
    facts: FactsRow,
}

/// The cart's lines, oldest first, and the facts (availability included) about their
/// variants and about `also` (variants about to be added): one statement however many of
/// either. The lines with their variants, `UNION ALL` the variants of `also` with no line; a
/// variant in both comes twice, once with its line, with the same facts.
pub async fn lines_and_facts(
    db: &impl ConnectionTrait,
    cart_id: Uuid,
    currency: CurrencyCode,
    also: &[Uuid],
) -> ApiResult<(Vec<cart_line::Model>, VariantFacts)> {
    if also.is_empty() {
        return lines_with_facts(db, cart_id, currency, Stock::Now).await;
    }
    let lines = cart_line::Entity::find()
        .select_only()
        .join(
            JoinType::InnerJoin,
            cart_line::Relation::ProductVariant.def(),
        )
        .filter(cart_line::Column::CartId.eq(cart_id));
    let lines = with_facts(
        columns_of::<cart_line::Entity, _>(lines, "line_"),
        currency,
        Stock::Now,
    );
    let mut others = product_variant::Entity::find().select_only();
    for column in cart_line::Column::iter() {
        others = others.expr_as(Expr::cust("NULL"), format!("line_{}", column.as_str()));
    }
    let others = with_facts(
        others.filter(product_variant::Column::Id.is_in(also.iter().copied())),
        currency,
        Stock::Now,
    );
    let mut query = lines.into_query();
    query.union(UnionType::All, others.into_query());
    let statement = db.get_database_backend().build(&query);
    let rows = MaybeLineRow::find_by_statement(statement).all(db).await?;
    let mut lines = Vec::new();
    let mut facts = VariantFacts::default();
    for row in rows {
        lines.extend(row.line);
        facts.add(row.facts);
    }
    // Oldest first, as `lines_of` orders them (a UNION's branches cannot be ordered alone).
    lines.sort_by_key(|line| (line.created_at, line.id));
    Ok((lines, facts))
}

/// The cart's lines, oldest first, with the facts about their variants: one statement. A
/// line whose variant vanished is gone with it (the row cascades), so the inner joins drop
/// nothing that exists.
async fn lines_with_facts(
    db: &impl ConnectionTrait,
    cart_id: Uuid,
    currency: CurrencyCode,
    stock: Stock,
) -> ApiResult<(Vec<cart_line::Model>, VariantFacts)> {
    let select = cart_line::Entity::find()
        .select_only()
        .join(
            JoinType::InnerJoin,
            cart_line::Relation::ProductVariant.def(),
        )
        .filter(cart_line::Column::CartId.eq(cart_id))
        .order_by_asc(cart_line::Column::CreatedAt)
        .order_by_asc(cart_line::Column::Id);
    let select = columns_of::<cart_line::Entity, _>(select, "line_");
    let rows = with_facts(select, currency, stock)
        .into_model::<LineRow>()
        .all(db)
        .await?;
    let mut lines = Vec::with_capacity(rows.len());
    let mut facts = VariantFacts::default();
    for row in rows {
        lines.push(row.line);
        facts.add(row.facts);
    }
    Ok((lines, facts))
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

/// A cart and its lines with their catalog facts, before pricing.
pub struct CartContents {
    pub cart: cart::Model,
    pub currency: CurrencyCode,
    pub lines: Vec<cart_line::Model>,
    /// Variants, products and prices of the lines; no availability (see [`contents`]).
    facts: VariantFacts,
}

impl CartContents {
    /// The variants in the cart (what availability must be known for).
    pub fn variant_ids(&self) -> Vec<Uuid> {
        self.lines.iter().map(|l| l.variant_id).collect()
    }
}

/// Reads the lines of `cart` with their variants, products and prices, without availability
/// (checkout takes that from the stock rows it locks, see [`priced_with`]): one statement.
pub async fn contents(db: &impl ConnectionTrait, cart: cart::Model) -> ApiResult<CartContents> {
    let currency = CurrencyCode::stored(&cart.currency_code)?;
    let (lines, facts) = lines_with_facts(db, cart.id, currency, Stock::Skip).await?;
    Ok(CartContents {
        cart,
        currency,
        lines,
        facts,
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
        mut facts,
    } = contents;
    facts.available = available;
    let discounts = discounts_named(db, &cart.discount_codes.0).await?;
    let rates = rates::load(db).await?;
    Ok(assemble(
        cart, currency, lines, &facts, discounts, &rates, settings,
    ))
}

/// The whole view of `cart` with current availability, reading everything it needs (the
/// shipping configuration as this process holds it).
pub async fn view(
    db: &impl ConnectionTrait,
    cart: cart::Model,
    rules: &CartRules,
) -> ApiResult<CartView> {
    let rates = rules.shipping_rates.get(db).await?;
    view_with_rates(db, cart, &rates, &rules.pricing).await
}

/// Like [`view`], with the shipping configuration the caller already read.
pub async fn view_with_rates(
    db: &impl ConnectionTrait,
    cart: cart::Model,
    rates: &Rates,
    settings: &PricingSettings,
) -> ApiResult<CartView> {
    let currency = CurrencyCode::stored(&cart.currency_code)?;
    let (lines, facts) = lines_with_facts(db, cart.id, currency, Stock::Now).await?;
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
