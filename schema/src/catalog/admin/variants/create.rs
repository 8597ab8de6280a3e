//! `create_variant`: a new variant appended after the product's last one.

use super::NewVariant;
use super::locking::{lock_product, refuse};
use super::lookups::{check_warehouses, sku_in_use, sku_taken};
use super::problems::Problems;
use super::validation::clean_variant;
use crate::catalog::admin::products::{insert_variant, refresh_price_ranges};
use crate::catalog::events::{CatalogChange, CatalogChangeKind};
use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use crate::events::DomainEvent;
use crate::unit_of_work::Writer;
use entities::product_variant;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

/// Adds a variant after the product's last one. Returns the user errors instead when refused;
/// then nothing is written.
pub async fn create_variant(
    writer: &Writer,
    product_id: Uuid,
    input: NewVariant,
) -> ApiResult<Result<product_variant::Model, Vec<UserError>>> {
    let prefix = ["input".to_owned()];
    let mut errors = Vec::new();
    let variant = clean_variant(input, &mut Problems::new(&prefix, &mut errors));
    let mut write = writer.begin().await?;
    let txn = write.txn();
    let Some(product) = lock_product(txn, product_id).await? else {
        let error = UserError::new(&["productId"], ErrorCode::NotFound, "no such product");
        return refuse(write, vec![error]);
    };
    if sku_in_use(txn, &variant.sku, None).await? {
        errors.push(sku_taken());
    }
    check_warehouses(txn, &variant, &mut Problems::new(&prefix, &mut errors)).await?;
    if !errors.is_empty() {
        return refuse(write, errors);
    }
    let last: Option<Option<i32>> = product_variant::Entity::find()
        .select_only()
        .expr(Func::max(Expr::col(product_variant::Column::Position)))
        .filter(product_variant::Column::ProductId.eq(product_id))
        .into_tuple()
        .one(txn)
        .await?;
    let position = last.flatten().map_or(0, |p| p.saturating_add(1));
    match insert_variant(txn, product_id, position, variant, now()).await {
        Ok(model) => {
            refresh_price_ranges(txn, product_id).await?;
            write.record(DomainEvent::CatalogChanged(CatalogChange::product(
                CatalogChangeKind::ProductUpdated,
                product_id,
                &product.slug,
            )));
            write.commit().await?;
            Ok(Ok(model))
        }
        Err(err) if is_unique_violation(&err) => refuse(write, vec![sku_taken()]),
        Err(err) => Err(err.into()),
    }
}
