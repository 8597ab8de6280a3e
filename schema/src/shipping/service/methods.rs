//! Shipping methods for staff: a name, a price per currency with an optional free-above
//! threshold, delivery estimates, and whether shoppers see it. A change applies to every cart
//! at once (carts are priced when read); orders keep what they were charged.

use super::MAX_METHODS_PER_ZONE;
use super::cache::ShippingRatesCache;
use crate::common::clock::now;
use crate::common::money::{CurrencyCode, Decimal};
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::unit_of_work::Writer;
use entities::json::{ShippingPrice, ShippingPriceList};
use entities::{shipping_method, shipping_zone};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

const NAME_LEN: usize = 100;
const DESCRIPTION_LEN: usize = 1000;
/// Longest delivery estimate, in days.
const MAX_DAYS: i32 = 365;

/// A method's price in one currency, as staff give it.
#[derive(Clone, Copy, Debug)]
pub struct PriceSpec {
    pub currency: CurrencyCode,
    pub price: Decimal,
    pub free_above: Option<Decimal>,
}

/// A method as staff describe it. On create, `name` and `prices` are required; on update
/// `None` keeps a field and `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct MethodSpec {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    /// Replaces the whole list.
    pub prices: Option<Vec<PriceSpec>>,
    pub min_delivery_days: Option<Option<i32>>,
    pub max_delivery_days: Option<Option<i32>>,
    pub active: Option<bool>,
}

pub type MethodOutcome = Result<shipping_method::Model, Vec<UserError>>;

fn invalid(path: &[&str], message: impl Into<String>) -> UserError {
    UserError::new(path, ErrorCode::Invalid, message)
}

fn not_found(field: &str, what: &str) -> UserError {
    UserError::new(
        &[field],
        ErrorCode::NotFound,
        format!("no {what} with this id"),
    )
}

/// Minor units, one entry per currency; every problem reported.
fn clean_prices(prices: &[PriceSpec], errors: &mut Vec<UserError>) -> Vec<ShippingPrice> {
    if prices.is_empty() {
        errors.push(invalid(
            &["input", "prices"],
            "give a price in at least one currency",
        ));
    }
    let mut clean: Vec<ShippingPrice> = Vec::with_capacity(prices.len());
    let mut seen: Vec<CurrencyCode> = Vec::with_capacity(prices.len());
    for (index, spec) in prices.iter().enumerate() {
        if seen.contains(&spec.currency) {
            errors.push(invalid(
                &["input", "prices", &index.to_string(), "currencyCode"],
                format!("{} is priced twice", spec.currency.as_str()),
            ));
            continue;
        }
        seen.push(spec.currency);
        let index = index.to_string();
        let mut amount = |value: Decimal, field: &str| match value.to_bounded_minor(spec.currency) {
            Ok(minor) if minor >= 0 => Some(minor),
            Ok(_) => {
                errors.push(invalid(
                    &["input", "prices", &index, field],
                    "cannot be negative",
                ));
                None
            }
            Err(message) => {
                errors.push(invalid(&["input", "prices", &index, field], message));
                None
            }
        };
        let price = amount(spec.price, "price");
        // `Err`: given but invalid (already reported).
        let free_above = match spec.free_above {
            None => Ok(None),
            Some(value) => amount(value, "freeAbove").map(Some).ok_or(()),
        };
        let code = spec.currency.as_str();
        if let (Some(amount), Ok(free_above)) = (price, free_above) {
            clean.push(ShippingPrice {
                currency_code: code.to_owned(),
                amount,
                free_above,
            });
        }
    }
    clean
}

fn check_days(min: Option<i32>, max: Option<i32>, errors: &mut Vec<UserError>) {
    for (value, field) in [(min, "minDeliveryDays"), (max, "maxDeliveryDays")] {
        if value.is_some_and(|days| !(0..=MAX_DAYS).contains(&days)) {
            errors.push(invalid(
                &["input", field],
                format!("between 0 and {MAX_DAYS} days"),
            ));
        }
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        errors.push(invalid(
            &["input", "maxDeliveryDays"],
            "must not be less than minDeliveryDays",
        ));
    }
}

fn clean_name(name: &str, errors: &mut Vec<UserError>) -> Option<String> {
    text::required_line(name, NAME_LEN)
        .map_err(|problem| errors.push(invalid(&["input", "name"], problem.to_string())))
        .ok()
}

fn clean_description(
    description: Option<&str>,
    errors: &mut Vec<UserError>,
) -> Option<Option<String>> {
    text::optional_block(description, DESCRIPTION_LEN)
        .map_err(|problem| errors.push(invalid(&["input", "description"], problem.to_string())))
        .ok()
}

pub async fn create(
    writer: &Writer,
    held: &ShippingRatesCache,
    zone_id: Uuid,
    name: &str,
    spec: MethodSpec,
) -> ApiResult<MethodOutcome> {
    let mut errors = Vec::new();
    let name = clean_name(name, &mut errors);
    let description = clean_description(spec.description.flatten().as_deref(), &mut errors);
    let prices = clean_prices(spec.prices.as_deref().unwrap_or_default(), &mut errors);
    let min = spec.min_delivery_days.flatten();
    let max = spec.max_delivery_days.flatten();
    check_days(min, max, &mut errors);
    let (Some(name), Some(description), true) = (name, description, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let write = writer.begin().await?;
    if shipping_zone::Entity::find_by_id(zone_id)
        .one(write.txn())
        .await?
        .is_none()
    {
        return Ok(Err(vec![not_found("zoneId", "shipping zone")]));
    }
    let siblings = shipping_method::Entity::find()
        .filter(shipping_method::Column::ZoneId.eq(zone_id))
        .count(write.txn())
        .await?;
    if siblings >= MAX_METHODS_PER_ZONE {
        return Ok(Err(vec![invalid(
            &["input", "zoneId"],
            format!("a zone has at most {MAX_METHODS_PER_ZONE} methods"),
        )]));
    }
    let at = now();
    let method = shipping_method::ActiveModel {
        id: Set(Uuid::now_v7()),
        zone_id: Set(zone_id),
        name: Set(name),
        description: Set(description),
        prices: Set(ShippingPriceList(prices)),
        min_delivery_days: Set(min),
        max_delivery_days: Set(max),
        active: Set(spec.active.unwrap_or(true)),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(write.txn())
    .await?;
    super::commit_change(write, method.id, held).await?;
    Ok(Ok(method))
}

pub async fn update(
    writer: &Writer,
    held: &ShippingRatesCache,
    id: Uuid,
    spec: MethodSpec,
) -> ApiResult<MethodOutcome> {
    let mut errors = Vec::new();
    let name = spec
        .name
        .as_deref()
        .map(|name| clean_name(name, &mut errors));
    let description = spec
        .description
        .as_ref()
        .map(|d| clean_description(d.as_deref(), &mut errors));
    let prices = spec
        .prices
        .as_deref()
        .map(|prices| clean_prices(prices, &mut errors));
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let write = writer.begin().await?;
    let Some(method) = shipping_method::Entity::find_by_id(id)
        .one(write.txn())
        .await?
    else {
        return Ok(Err(vec![not_found("id", "shipping method")]));
    };
    // The estimates are judged as they will be: a new minimum against the kept maximum.
    let min = spec.min_delivery_days.unwrap_or(method.min_delivery_days);
    let max = spec.max_delivery_days.unwrap_or(method.max_delivery_days);
    check_days(min, max, &mut errors);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut active = method.into_active_model();
    if let Some(Some(name)) = name {
        active.name = Set(name);
    }
    if let Some(Some(description)) = description {
        active.description = Set(description);
    }
    if let Some(prices) = prices {
        active.prices = Set(ShippingPriceList(prices));
    }
    active.min_delivery_days = Set(min);
    active.max_delivery_days = Set(max);
    if let Some(on) = spec.active {
        active.active = Set(on);
    }
    active.updated_at = Set(now());
    let method = active.update(write.txn()).await?;
    super::commit_change(write, method.id, held).await?;
    Ok(Ok(method))
}

pub async fn delete(
    writer: &Writer,
    held: &ShippingRatesCache,
    id: Uuid,
) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let write = writer.begin().await?;
    let deleted = shipping_method::Entity::delete_by_id(id)
        .exec(write.txn())
        .await?;
    if deleted.rows_affected == 0 {
        return Ok(Err(vec![not_found("id", "shipping method")]));
    }
    super::commit_change(write, id, held).await?;
    Ok(Ok(id))
}
