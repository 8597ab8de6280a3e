//! Shipping zones for staff: a name and the countries it serves. Deleting a zone deletes its
//! methods; carts that had chosen one of them are told at checkout to choose again.

use super::MAX_ZONES;
use super::cache::ShippingRatesCache;
use crate::common::clock::now;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::unit_of_work::Writer;
use entities::json::StringList;
use entities::{shipping_method, shipping_zone};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

const NAME_LEN: usize = 100;
/// ISO 3166-1 has 249 codes.
const MAX_COUNTRIES: usize = 250;

/// A zone as staff describe it; on update, `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct ZoneSpec {
    pub name: Option<String>,
    pub countries: Option<Vec<String>>,
}

pub type ZoneOutcome = Result<shipping_zone::Model, Vec<UserError>>;

fn invalid(field: &str, message: impl Into<String>) -> UserError {
    UserError::new(&["input", field], ErrorCode::Invalid, message)
}

fn not_found() -> UserError {
    UserError::new(
        &["id"],
        ErrorCode::NotFound,
        "no shipping zone with this id",
    )
}

/// Trimmed, upper-cased, each once, in the order given.
fn clean_countries(countries: &[String]) -> Result<Vec<String>, UserError> {
    if countries.is_empty() {
        return Err(invalid("countries", "a zone serves at least one country"));
    }
    if countries.len() > MAX_COUNTRIES {
        return Err(invalid(
            "countries",
            format!("at most {MAX_COUNTRIES} countries"),
        ));
    }
    let mut clean: Vec<String> = Vec::with_capacity(countries.len());
    for raw in countries {
        let code = raw.trim().to_uppercase();
        if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(invalid(
                "countries",
                format!("`{raw}`: use two-letter ISO 3166 country codes, e.g. US"),
            ));
        }
        if !clean.contains(&code) {
            clean.push(code);
        }
    }
    Ok(clean)
}

fn clean(spec: ZoneSpec) -> Result<ZoneSpec, Vec<UserError>> {
    let mut errors = Vec::new();
    let name = spec.name.and_then(|name| {
        text::required_line(&name, NAME_LEN)
            .map_err(|problem| errors.push(invalid("name", problem.to_string())))
            .ok()
    });
    let countries = spec.countries.and_then(|countries| {
        clean_countries(&countries)
            .map_err(|error| errors.push(error))
            .ok()
    });
    if errors.is_empty() {
        Ok(ZoneSpec { name, countries })
    } else {
        Err(errors)
    }
}

pub async fn create(
    writer: &Writer,
    held: &ShippingRatesCache,
    name: String,
    countries: Vec<String>,
) -> ApiResult<ZoneOutcome> {
    let spec = match clean(ZoneSpec {
        name: Some(name),
        countries: Some(countries),
    }) {
        Ok(spec) => spec,
        Err(errors) => return Ok(Err(errors)),
    };
    let (Some(name), Some(countries)) = (spec.name, spec.countries) else {
        return Ok(Err(vec![invalid("name", "give the zone a name")]));
    };
    let write = writer.begin().await?;
    let zones = shipping_zone::Entity::find().count(write.txn()).await?;
    if zones >= MAX_ZONES {
        return Ok(Err(vec![UserError::new(
            &["input"],
            ErrorCode::Invalid,
            format!("at most {MAX_ZONES} shipping zones; extend an existing one"),
        )]));
    }
    let at = now();
    let zone = shipping_zone::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        countries: Set(StringList(countries)),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(write.txn())
    .await?;
    write.audit_target("ShippingZone", zone.id);
    write.audit_change(None, Some(&zone));
    super::commit_change(write, zone.id, held).await?;
    Ok(Ok(zone))
}

pub async fn update(
    writer: &Writer,
    held: &ShippingRatesCache,
    id: Uuid,
    spec: ZoneSpec,
) -> ApiResult<ZoneOutcome> {
    let spec = match clean(spec) {
        Ok(spec) => spec,
        Err(errors) => return Ok(Err(errors)),
    };
    let write = writer.begin().await?;
    let Some(zone) = shipping_zone::Entity::find_by_id(id)
        .one(write.txn())
        .await?
    else {
        return Ok(Err(vec![not_found()]));
    };
    let before = zone.clone();
    let mut active = zone.into_active_model();
    if let Some(name) = spec.name {
        active.name = Set(name);
    }
    if let Some(countries) = spec.countries {
        active.countries = Set(StringList(countries));
    }
    active.updated_at = Set(now());
    let zone = active.update(write.txn()).await?;
    write.audit_target("ShippingZone", zone.id);
    write.audit_change(Some(&before), Some(&zone));
    super::commit_change(write, zone.id, held).await?;
    Ok(Ok(zone))
}

/// Deletes the zone and its methods.
pub async fn delete(
    writer: &Writer,
    held: &ShippingRatesCache,
    id: Uuid,
) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let write = writer.begin().await?;
    let before = shipping_zone::Entity::find_by_id(id)
        .one(write.txn())
        .await?;
    // Explicitly, not only by the foreign key's cascade: SQLite enforces that per connection.
    shipping_method::Entity::delete_many()
        .filter(shipping_method::Column::ZoneId.eq(id))
        .exec(write.txn())
        .await?;
    let deleted = shipping_zone::Entity::delete_by_id(id)
        .exec(write.txn())
        .await?;
    if deleted.rows_affected == 0 {
        return Ok(Err(vec![not_found()]));
    }
    write.audit_target("ShippingZone", id);
    write.audit_change(before.as_ref(), None);
    super::commit_change(write, id, held).await?;
    Ok(Ok(id))
}

/// The methods of a zone (to show it after a change).
pub async fn methods_of(
    db: &impl sea_orm::ConnectionTrait,
    zone_id: Uuid,
) -> ApiResult<Vec<shipping_method::Model>> {
    Ok(shipping_method::Entity::find()
        .filter(shipping_method::Column::ZoneId.eq(zone_id))
        .all(db)
        .await?)
}
