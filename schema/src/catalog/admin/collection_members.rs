//! Staff changes to which products a collection holds and in which order.
//!
//! - Add appends the given products in the given order; ones already in the collection are
//!   left where they are. Unknown product ids are refused (each reported), nothing stored.
//! - Remove takes the given products out; ids that are not members are ignored.
//! - Reorder moves the given members, in the given order, to the front of the collection;
//!   the other members follow in their current order. Listing every member gives the full
//!   order, and a long collection is reordered a front section at a time (250 ids a call).
//!
//! `position` orders a collection; positions need not be dense. A move gives the moved
//! products the positions just below the current lowest, and an append those just above the
//! highest, so a change writes only the rows it moves. When the `int` range would run out
//! (millions of moves later) the collection is renumbered first.
//!
//! The collection's row is locked (`FOR UPDATE`; SQLite's writers queue) before its members
//! are read, so concurrent changes of one collection apply one after the other.

use super::collections::collection_not_found;
use crate::catalog::events::CatalogChange;
use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::events::DomainEvent;
use crate::unit_of_work::{Write, Writer};
use entities::{collection, collection_product, product};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// Most products one collection holds: a page of any size stays one indexed range scan, and
/// a renumbering stays a few statements.
pub const MAX_COLLECTION_PRODUCTS: u64 = 10_000;
/// Most product ids one call takes.
pub const MAX_IDS_PER_CALL: usize = 250;
/// Rows per positioning UPDATE (two bind parameters each; well under both databases' limits).
const POSITION_BATCH: usize = 500;

/// What the audit log keeps of a membership change.
#[derive(Serialize)]
struct MembershipChange<'a> {
    product_ids: &'a [Uuid],
}

fn product_error(index: usize, code: ErrorCode, message: &str) -> UserError {
    UserError::new(&["productIds", &index.to_string()], code, message)
}

/// The ids as given, refused when too many; duplicates are reported when `unique`, else the
/// later ones dropped.
fn check_ids(ids: Vec<Uuid>, unique: bool) -> Result<Vec<Uuid>, Vec<UserError>> {
    if ids.len() > MAX_IDS_PER_CALL {
        return Err(vec![UserError::new(
            &["productIds"],
            ErrorCode::Invalid,
            format!("give at most {MAX_IDS_PER_CALL} product ids per call"),
        )]);
    }
    let mut seen = HashSet::new();
    let mut kept = Vec::with_capacity(ids.len());
    let mut errors = Vec::new();
    for (index, id) in ids.into_iter().enumerate() {
        if seen.insert(id) {
            kept.push(id);
        } else if unique {
            errors.push(product_error(
                index,
                ErrorCode::Invalid,
                "this product is listed twice",
            ));
        }
    }
    if errors.is_empty() {
        Ok(kept)
    } else {
        Err(errors)
    }
}

/// Locks the collection's row for the unit.
async fn lock_collection(write: &Write, id: Uuid) -> ApiResult<Option<collection::Model>> {
    Ok(collection::Entity::find_by_id(id)
        .lock_exclusive()
        .one(write.txn())
        .await?)
}

/// Which of `ids` are members of the collection.
async fn members_among(
    db: &impl ConnectionTrait,
    collection_id: Uuid,
    ids: &[Uuid],
) -> ApiResult<HashSet<Uuid>> {
    let rows: Vec<Uuid> = collection_product::Entity::find()
        .select_only()
        .column(collection_product::Column::ProductId)
        .filter(collection_product::Column::CollectionId.eq(collection_id))
        .filter(collection_product::Column::ProductId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The lowest or highest position in the collection (`None` when it is empty).
async fn edge_position(
    db: &impl ConnectionTrait,
    collection_id: Uuid,
    highest: bool,
) -> ApiResult<Option<i32>> {
    let col = Expr::col(collection_product::Column::Position);
    let edge = if highest {
        Func::max(col)
    } else {
        Func::min(col)
    };
    let found: Option<Option<i32>> = collection_product::Entity::find()
        .select_only()
        .expr(edge)
        .filter(collection_product::Column::CollectionId.eq(collection_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(found.flatten())
}

/// Sets the positions of the given members: `UPDATE … SET position = CASE product_id …`, one
/// statement per batch.
async fn set_positions(
    db: &impl ConnectionTrait,
    collection_id: Uuid,
    positions: &[(Uuid, i32)],
) -> ApiResult<()> {
    for batch in positions.chunks(POSITION_BATCH) {
        let mut case = CaseStatement::new();
        for (product_id, position) in batch {
            case = case.case(
                Expr::col(collection_product::Column::ProductId).eq(*product_id),
                Expr::val(*position),
            );
        }
        let case = case.finally(Expr::col(collection_product::Column::Position));
        collection_product::Entity::update_many()
            .col_expr(collection_product::Column::Position, case.into())
            .filter(collection_product::Column::CollectionId.eq(collection_id))
            .filter(collection_product::Column::ProductId.is_in(batch.iter().map(|(id, _)| *id)))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Renumbers the collection 0, 1, 2… in its current order (when the `int` range runs out).
async fn renumber(db: &impl ConnectionTrait, collection_id: Uuid) -> ApiResult<()> {
    let ordered: Vec<Uuid> = collection_product::Entity::find()
        .select_only()
        .column(collection_product::Column::ProductId)
        .filter(collection_product::Column::CollectionId.eq(collection_id))
        .order_by_asc(collection_product::Column::Position)
        .order_by_asc(collection_product::Column::ProductId)
        .into_tuple()
        .all(db)
        .await?;
    let positions: Vec<(Uuid, i32)> = ordered.into_iter().zip(0..).collect();
    set_positions(db, collection_id, &positions).await
}

/// Marks the collection changed (its `updatedAt`, a catalog event, the audit log) and commits.
async fn finish(
    mut write: Write,
    current: collection::Model,
    product_ids: &[Uuid],
) -> ApiResult<collection::Model> {
    let mut row: collection::ActiveModel = current.into();
    row.updated_at = Set(now());
    let model = row.update(write.txn()).await?;
    write.record(DomainEvent::CatalogChanged(CatalogChange::collection(
        model.id,
        &model.handle,
    )));
    write.audit_target("Collection", model.id);
    write.audit_change(None, Some(&MembershipChange { product_ids }));
    write.commit().await?;
    Ok(model)
}

/// Appends `product_ids` (in the given order) to the collection; members already in it stay
/// where they are. Unknown products and a collection that would grow past
/// [`MAX_COLLECTION_PRODUCTS`] are refused; then nothing is written.
pub async fn add_products(
    writer: &Writer,
    collection_id: Uuid,
    product_ids: Vec<Uuid>,
) -> ApiResult<Result<collection::Model, Vec<UserError>>> {
    let given = product_ids.clone();
    let ids = match check_ids(product_ids, false) {
        Ok(ids) => ids,
        Err(errors) => return Ok(Err(errors)),
    };
    let write = writer.begin().await?;
    let Some(current) = lock_collection(&write, collection_id).await? else {
        return Ok(Err(vec![collection_not_found("collectionId")]));
    };
    let txn = write.txn();
    let known: HashSet<Uuid> = product::Entity::find()
        .select_only()
        .column(product::Column::Id)
        .filter(product::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<Uuid>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let errors: Vec<UserError> = given
        .iter()
        .enumerate()
        .filter(|(_, id)| !known.contains(id))
        .map(|(index, _)| product_error(index, ErrorCode::NotFound, "no such product"))
        .collect();
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let present = members_among(txn, collection_id, &ids).await?;
    let added: Vec<Uuid> = ids.into_iter().filter(|id| !present.contains(id)).collect();
    let count = collection_product::Entity::find()
        .filter(collection_product::Column::CollectionId.eq(collection_id))
        .count(txn)
        .await?;
    if count + added.len() as u64 > MAX_COLLECTION_PRODUCTS {
        return Ok(Err(vec![UserError::new(
            &["productIds"],
            ErrorCode::LimitReached,
            format!("a collection holds at most {MAX_COLLECTION_PRODUCTS} products"),
        )]));
    }
    if !added.is_empty() {
        let len = i32::try_from(added.len()).unwrap_or(i32::MAX);
        let mut highest = edge_position(txn, collection_id, true).await?;
        if highest.is_some_and(|h| h.checked_add(len).is_none()) {
            renumber(txn, collection_id).await?;
            highest = edge_position(txn, collection_id, true).await?;
        }
        let start = highest.map_or(0, |h| h.saturating_add(1));
        let rows =
            added
                .iter()
                .zip(start..)
                .map(|(id, position)| collection_product::ActiveModel {
                    collection_id: Set(collection_id),
                    product_id: Set(*id),
                    position: Set(position),
                });
        collection_product::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(Ok(finish(write, current, &added).await?))
}

/// Takes `product_ids` out of the collection; ids that are not members are ignored.
pub async fn remove_products(
    writer: &Writer,
    collection_id: Uuid,
    product_ids: Vec<Uuid>,
) -> ApiResult<Result<collection::Model, Vec<UserError>>> {
    let ids = match check_ids(product_ids, false) {
        Ok(ids) => ids,
        Err(errors) => return Ok(Err(errors)),
    };
    let write = writer.begin().await?;
    let Some(current) = lock_collection(&write, collection_id).await? else {
        return Ok(Err(vec![collection_not_found("collectionId")]));
    };
    let txn = write.txn();
    let present = members_among(txn, collection_id, &ids).await?;
    let removed: Vec<Uuid> = ids.into_iter().filter(|id| present.contains(id)).collect();
    if !removed.is_empty() {
        collection_product::Entity::delete_many()
            .filter(collection_product::Column::CollectionId.eq(collection_id))
            .filter(collection_product::Column::ProductId.is_in(removed.iter().copied()))
            .exec(txn)
            .await?;
    }
    Ok(Ok(finish(write, current, &removed).await?))
}

/// Moves `product_ids` (members, each once) to the front of the collection in the given
/// order; the other members follow in their current order. Refused, with nothing written,
/// when an id is listed twice or is not a member.
pub async fn reorder_products(
    writer: &Writer,
    collection_id: Uuid,
    product_ids: Vec<Uuid>,
) -> ApiResult<Result<collection::Model, Vec<UserError>>> {
    let ids = match check_ids(product_ids, true) {
        Ok(ids) => ids,
        Err(errors) => return Ok(Err(errors)),
    };
    let write = writer.begin().await?;
    let Some(current) = lock_collection(&write, collection_id).await? else {
        return Ok(Err(vec![collection_not_found("collectionId")]));
    };
    let txn = write.txn();
    let present = members_among(txn, collection_id, &ids).await?;
    let errors: Vec<UserError> = ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !present.contains(id))
        .map(|(index, _)| {
            product_error(
                index,
                ErrorCode::NotFound,
                "the product is not in the collection",
            )
        })
        .collect();
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    if !ids.is_empty() {
        let len = i32::try_from(ids.len()).unwrap_or(i32::MAX);
        let mut lowest = edge_position(txn, collection_id, false).await?.unwrap_or(0);
        if lowest.checked_sub(len).is_none() {
            renumber(txn, collection_id).await?;
            lowest = 0;
        }
        let start = lowest.saturating_sub(len);
        let positions: Vec<(Uuid, i32)> = ids.iter().copied().zip(start..).collect();
        set_positions(txn, collection_id, &positions).await?;
    }
    Ok(Ok(finish(write, current, &ids).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_capped_and_duplicates_dropped_or_reported() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(check_ids(vec![a, b, a], false), Ok(vec![a, b]));
        let refused = check_ids(vec![a, b, a], true).err().unwrap_or_default();
        assert_eq!(refused.len(), 1);
        assert_eq!(
            refused[0].field.as_deref(),
            Some(&["productIds".to_owned(), "2".to_owned()][..])
        );
        let many = (0..=MAX_IDS_PER_CALL as u128)
            .map(Uuid::from_u128)
            .collect();
        assert!(check_ids(many, false).is_err());
    }
}
