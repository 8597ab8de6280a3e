//! `delete_variant`, under the same rule as product deletes: refused while stock is allocated.

use super::locking::{lock_variant, refuse, variant_not_found};
use crate::catalog::admin::products::{allocated, has_allocations, refresh_price_ranges};
use crate::catalog::events::{CatalogChange, CatalogChangeKind};
use crate::common::user_error::UserError;
use crate::error::ApiResult;
use crate::events::DomainEvent;
use crate::unit_of_work::Writer;
use entities::product_variant;
use sea_orm::EntityTrait;
use uuid::Uuid;

/// Deletes a variant (prices and stock levels cascade; order lines keep their snapshot).
/// Refused while any of its stock is allocated.
pub async fn delete_variant(writer: &Writer, id: Uuid) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let mut write = writer.begin().await?;
    let txn = write.txn();
    let Some((variant, product)) = lock_variant(txn, id).await? else {
        return refuse(write, vec![variant_not_found()]);
    };
    if has_allocations(txn, vec![id]).await? {
        return refuse(write, vec![allocated("the variant has")]);
    }
    product_variant::Entity::delete_by_id(id).exec(txn).await?;
    refresh_price_ranges(txn, variant.product_id).await?;
    write.record(DomainEvent::CatalogChanged(CatalogChange::product(
        CatalogChangeKind::ProductUpdated,
        product.id,
        &product.slug,
    )));
    write.commit().await?;
    Ok(Ok(id))
}
