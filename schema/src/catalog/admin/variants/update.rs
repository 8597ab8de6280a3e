//! `update_variant`: SKU, name, options, and the whole price list at once. Stock changes go
//! through the inventory service.

use super::locking::{lock_variant, refuse, variant_not_found};
use super::lookups::{sku_in_use, sku_taken};
use super::problems::Problems;
use super::validation::{clean_name, clean_options, clean_prices, clean_sku};
use super::{CleanPrice, VariantChanges};
use crate::catalog::admin::products::{insert_prices, refresh_price_ranges};
use crate::catalog::events::{CatalogChange, CatalogChangeKind};
use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use crate::events::DomainEvent;
use crate::unit_of_work::Writer;
use entities::{product_variant, variant_price};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// Updates a variant; given prices replace its whole price list. Stock is not changed here.
pub async fn update_variant(
    writer: &Writer,
    id: Uuid,
    changes: VariantChanges,
) -> ApiResult<Result<product_variant::Model, Vec<UserError>>> {
    let prefix = ["input".to_owned()];
    let mut errors = Vec::new();
    let p = &mut Problems::new(&prefix, &mut errors);
    let sku = changes.sku.map(|s| clean_sku(&s, p));
    let name = changes.name.map(|n| clean_name(&n, p));
    let options = changes.options.map(|o| clean_options(o, p));
    let mut prices = changes.prices.map(|prices| clean_prices(&prices, p));

    let mut write = writer.begin().await?;
    let txn = write.txn();
    let Some((current, product)) = lock_variant(txn, id).await? else {
        return refuse(write, vec![variant_not_found()]);
    };
    if let Some(sku) = &sku
        && sku_in_use(txn, sku, Some(id)).await?
    {
        errors.push(sku_taken());
    }
    if let Some(prices) = &mut prices {
        keep_compare_at(txn, id, prices, &mut errors).await?;
    }
    if !errors.is_empty() {
        return refuse(write, errors);
    }
    let product_id = current.product_id;
    let mut row: product_variant::ActiveModel = current.into();
    if let Some(sku) = sku {
        row.sku = Set(sku);
    }
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(options) = options {
        row.options = Set(options);
    }
    row.updated_at = Set(now());
    let model = match row.update(txn).await {
        Ok(model) => model,
        Err(err) if is_unique_violation(&err) => return refuse(write, vec![sku_taken()]),
        Err(err) => return Err(err.into()),
    };
    if let Some(prices) = prices {
        variant_price::Entity::delete_many()
            .filter(variant_price::Column::VariantId.eq(id))
            .exec(txn)
            .await?;
        insert_prices(txn, id, &prices).await?;
        refresh_price_ranges(txn, product_id).await?;
    }
    // The SKU or the prices may have changed: both are searchable.
    write.record(DomainEvent::CatalogChanged(CatalogChange::product(
        CatalogChangeKind::ProductUpdated,
        product_id,
        &product.slug,
    )));
    write.commit().await?;
    Ok(Ok(model))
}

/// Resolves "keep" for prices that did not mention a compare-at amount: the variant's
/// current one in that currency, if it is still above the new amount. One that is not is
/// refused rather than dropped, so a price cut never silently loses the "was" price staff
/// set (they give a new one, or null).
async fn keep_compare_at(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    prices: &mut [CleanPrice],
    errors: &mut Vec<UserError>,
) -> ApiResult<()> {
    if prices.iter().all(|p| p.compare_at.is_some()) {
        return Ok(());
    }
    let current = variant_price::Entity::find()
        .filter(variant_price::Column::VariantId.eq(variant_id))
        .all(db)
        .await?;
    for (i, price) in prices.iter_mut().enumerate() {
        if price.compare_at.is_some() {
            continue;
        }
        let kept = current
            .iter()
            .find(|c| c.currency_code == price.currency)
            .and_then(|c| c.compare_at_amount);
        if kept.is_some_and(|kept| kept <= price.amount) {
            let message = "the current compare-at price is not above the new amount; give a \
                           compareAtAmount, or null to clear it";
            let path = ["input", "prices", &i.to_string(), "compareAtAmount"];
            errors.push(UserError::new(&path, ErrorCode::Invalid, message));
        }
        price.compare_at = Some(kept);
    }
    Ok(())
}
