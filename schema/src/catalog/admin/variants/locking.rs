//! Row locks in the order every product and variant write takes them (the product first,
//! then its variants), and the way out of a refused change.

use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::unit_of_work::Write;
use entities::{product, product_variant};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use uuid::Uuid;

/// Abandons the unit (dropping it rolls it back) and returns the user errors.
pub(crate) fn refuse<T>(
    write: Write,
    errors: Vec<UserError>,
) -> ApiResult<Result<T, Vec<UserError>>> {
    drop(write);
    Ok(Err(errors))
}

pub(crate) async fn lock_product(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> ApiResult<Option<product::Model>> {
    let product = product::Entity::find_by_id(id).lock_exclusive();
    Ok(product.one(db).await?)
}

/// The variant and its product, both locked; `None` when the variant does not exist.
pub(super) async fn lock_variant(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> ApiResult<Option<(product_variant::Model, product::Model)>> {
    let Some(variant) = product_variant::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let Some(product) = lock_product(db, variant.product_id).await? else {
        return Ok(None);
    };
    let variant = product_variant::Entity::find_by_id(id).lock_exclusive();
    Ok(variant.one(db).await?.map(|variant| (variant, product)))
}

pub(super) fn variant_not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no such variant")
}
