//! The checks of a variant that need the database: SKU uniqueness and the warehouses its
//! stock names. They run inside the write transaction, so what they find stays true.

use super::problems::Problems;
use super::validation::{CleanVariant, is_valid_sku};
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use entities::{product_variant, warehouse};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashSet;
use uuid::Uuid;

pub(crate) const SKU_TAKEN: &str = "another variant already uses this SKU";

pub(super) fn sku_taken() -> UserError {
    UserError::new(&["input", "sku"], ErrorCode::Taken, SKU_TAKEN)
}

/// The SKUs among `skus` that a variant other than `except` already has.
pub(crate) async fn skus_in_use(
    db: &impl ConnectionTrait,
    skus: &[String],
    except: Option<Uuid>,
) -> ApiResult<HashSet<String>> {
    // Only a valid SKU can be in use. An invalid one is already refused, and not looking it
    // up keeps whatever it holds (a NUL, which PostgreSQL refuses in text) from the database.
    let skus: Vec<String> = skus.iter().filter(|s| is_valid_sku(s)).cloned().collect();
    if skus.is_empty() {
        return Ok(HashSet::new());
    }
    let mut select = product_variant::Entity::find()
        .select_only()
        .column(product_variant::Column::Sku)
        .filter(product_variant::Column::Sku.is_in(skus));
    if let Some(id) = except {
        select = select.filter(product_variant::Column::Id.ne(id));
    }
    let found: Vec<String> = select.into_tuple().all(db).await?;
    Ok(found.into_iter().collect())
}

pub(super) async fn sku_in_use(
    db: &impl ConnectionTrait,
    sku: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    Ok(!skus_in_use(db, &[sku.to_owned()], except).await?.is_empty())
}

/// Adds NOT_FOUND errors for the stock entries naming unknown warehouses.
pub(crate) async fn check_warehouses(
    db: &impl ConnectionTrait,
    variant: &CleanVariant,
    p: &mut Problems<'_>,
) -> ApiResult<()> {
    if variant.stock.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = variant.stock.iter().map(|s| s.warehouse_id).collect();
    let known: Vec<Uuid> = warehouse::Entity::find()
        .select_only()
        .column(warehouse::Column::Id)
        .filter(warehouse::Column::Id.is_in(ids))
        .lock_shared()
        .into_tuple()
        .all(db)
        .await?;
    for (i, stock) in variant.stock.iter().enumerate() {
        if !known.contains(&stock.warehouse_id) {
            let field = ["stock", &i.to_string(), "warehouseId"];
            p.add(&field, ErrorCode::NotFound, "no such warehouse");
        }
    }
    Ok(())
}
