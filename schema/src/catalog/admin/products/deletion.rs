//! Deleting products, and the rule shared with variant deletes: nothing whose stock is
//! allocated to orders may go.

use super::super::variants::{lock_product, refuse};
use super::validation::product_not_found;
use crate::catalog::events::{CatalogChange, CatalogChangeKind};
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::events::DomainEvent;
use crate::inventory::service::levels;
use crate::unit_of_work::Writer;
use entities::{product, product_variant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

/// Deletes a product with its variants, prices, stock levels and price ranges (cascades;
/// order lines keep their snapshot). Refused while stock of a variant is allocated.
pub async fn delete_product(writer: &Writer, id: Uuid) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let mut write = writer.begin().await?;
    let txn = write.txn();
    let Some(product) = lock_product(txn, id).await? else {
        return refuse(write, vec![product_not_found()]);
    };
    let variant_ids: Vec<Uuid> = product_variant::Entity::find()
        .select_only()
        .column(product_variant::Column::Id)
        .filter(product_variant::Column::ProductId.eq(id))
        .lock_exclusive()
        .into_tuple()
        .all(txn)
        .await?;
    if has_allocations(txn, variant_ids).await? {
        return refuse(write, vec![allocated("a variant has")]);
    }
    product::Entity::delete_by_id(id).exec(txn).await?;
    write.record(DomainEvent::CatalogChanged(CatalogChange::product(
        CatalogChangeKind::ProductDeleted,
        id,
        &product.slug,
    )));
    write.commit().await?;
    Ok(Ok(id))
}

/// Whether any of the variants has allocated stock (then it may not be deleted); inventory
/// owns the stock rows and answers.
pub(crate) async fn has_allocations(
    db: &impl ConnectionTrait,
    variant_ids: Vec<Uuid>,
) -> ApiResult<bool> {
    levels::any_allocated(db, variant_ids).await
}

/// Refusal of a delete while stock is allocated; `subject` is "the variant has" or similar.
pub(crate) fn allocated(subject: &str) -> UserError {
    let message = format!("{subject} stock allocated to orders; fulfil or cancel them first");
    UserError::new(&["id"], ErrorCode::Invalid, message)
}
