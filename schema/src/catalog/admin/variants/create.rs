//! `create_variant`: a new variant appended after the product's last one.

use super::NewVariant;
use super::locking::{lock_product, refuse};
use super::lookups::{check_warehouses, sku_in_use, sku_taken};
use super::problems::Problems;
use super::validation::clean_variant;
use crate::catalog::admin::products::{insert_variant, refresh_price_ranges};
use crate::common::clock::now;
use crate::common::transaction::begin_write;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use entities::product_variant;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

/// Adds a variant after the product's last one. Returns the user errors instead when refused;
/// then nothing is written.
pub async fn create_variant(
    db: &DatabaseConnection,
    product_id: Uuid,
    input: NewVariant,
) -> ApiResult<Result<product_variant::Model, Vec<UserError>>> {
    let prefix = ["input".to_owned()];
    let mut errors = Vec::new();
    let variant = clean_variant(input, &mut Problems::new(&prefix, &mut errors));
    let txn = begin_write(db).await?;
    if lock_product(&txn, product_id).await?.is_none() {
        let error = UserError::new(&["productId"], ErrorCode::NotFound, "no such product");
        return refuse(txn, vec![error]).await;
    }
    if sku_in_use(&txn, &variant.sku, None).await? {
        errors.push(sku_taken());
    }
    check_warehouses(&txn, &variant, &mut Problems::new(&prefix, &mut errors)).await?;
    if !errors.is_empty() {
        return refuse(txn, errors).await;
    }
    let last: Option<Option<i32>> = product_variant::Entity::find()
        .select_only()
        .expr(Func::max(Expr::col(product_variant::Column::Position)))
        .filter(product_variant::Column::ProductId.eq(product_id))
        .into_tuple()
        .one(&txn)
        .await?;
    let position = last.flatten().map_or(0, |p| p.saturating_add(1));
    match insert_variant(&txn, product_id, position, variant, now()).await {
        Ok(model) => {
            refresh_price_ranges(&txn, product_id).await?;
            crate::catalog::events::record_products(&txn, vec![product_id]).await?;
            txn.commit().await?;
            Ok(Ok(model))
        }
        Err(err) if is_unique_violation(&err) => refuse(txn, vec![sku_taken()]).await,
        Err(err) => Err(err.into()),
    }
}
