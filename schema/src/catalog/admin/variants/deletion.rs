//! `delete_variant`, under the same rule as product deletes: refused while stock is allocated.

use super::locking::{lock_variant, refuse, variant_not_found};
use crate::catalog::admin::products::{allocated, has_allocations, refresh_price_ranges};
use crate::common::transaction::begin_write;
use crate::common::user_error::UserError;
use crate::error::ApiResult;
use entities::product_variant;
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

/// Deletes a variant (prices and stock levels cascade; order lines keep their snapshot).
/// Refused while any of its stock is allocated.
pub async fn delete_variant(
    db: &DatabaseConnection,
    id: Uuid,
) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let txn = begin_write(db).await?;
    let Some(variant) = lock_variant(&txn, id).await? else {
        return refuse(txn, vec![variant_not_found()]).await;
    };
    if has_allocations(&txn, vec![id]).await? {
        return refuse(txn, vec![allocated("the variant has")]).await;
    }
    product_variant::Entity::delete_by_id(id).exec(&txn).await?;
    refresh_price_ranges(&txn, variant.product_id).await?;
    crate::catalog::events::record_products(&txn, vec![variant.product_id]).await?;
    txn.commit().await?;
    Ok(Ok(id))
}
