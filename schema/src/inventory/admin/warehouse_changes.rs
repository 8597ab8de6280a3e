//! Renaming, re-prioritising and deleting warehouses.
//!
//! A warehouse may be deleted only while nothing is stored or owed there: no stock level
//! with units on hand or allocated, no order allocation and no shipment line naming it (the
//! foreign keys are ON DELETE RESTRICT, and those rows are order history). Empty stock
//! levels (0 on hand, 0 allocated) are deleted with it: they only say "none here", and
//! keeping them would make every warehouse that ever stocked a variant undeletable.

use super::warehouses::{MAX_CODE_LEN, MAX_NAME_LEN, is_valid_code, normalise_code};
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use crate::unit_of_work::Writer;
use entities::{fulfillment_line, order_allocation, stock_level, warehouse};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

/// What a warehouse update changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct WarehouseChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub priority: Option<i32>,
}

fn not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no such warehouse")
}

fn code_taken() -> UserError {
    let message = "another warehouse already uses this code";
    UserError::new(&["input", "code"], ErrorCode::Taken, message)
}

/// Updates a warehouse's code, name or priority. Returns the user errors instead when the
/// input is refused; then nothing is written.
pub async fn update_warehouse(
    writer: &Writer,
    id: Uuid,
    changes: WarehouseChanges,
) -> ApiResult<Result<warehouse::Model, Vec<UserError>>> {
    let mut errors = Vec::new();
    let code = changes.code.map(|c| normalise_code(&c));
    let code_ok = code.as_deref().is_none_or(is_valid_code);
    if !code_ok {
        let message = format!(
            "use 1 to {MAX_CODE_LEN} letters, digits, dashes and underscores, starting with a letter or digit"
        );
        errors.push(UserError::new(
            &["input", "code"],
            ErrorCode::Invalid,
            message,
        ));
    }
    let name = changes.name.map(|name| {
        text::required_line(&name, MAX_NAME_LEN).unwrap_or_else(|problem| {
            let path = ["input", "name"];
            errors.push(UserError::new(
                &path,
                ErrorCode::Invalid,
                problem.to_string(),
            ));
            String::new()
        })
    });

    let write = writer.begin().await?;
    let txn = write.txn();
    let Some(current) = lock_warehouse(txn, id).await? else {
        return Ok(Err(vec![not_found()]));
    };
    if code_ok
        && let Some(code) = &code
        && warehouse::Entity::find()
            .filter(warehouse::Column::Code.eq(code))
            .filter(warehouse::Column::Id.ne(id))
            .count(txn)
            .await?
            > 0
    {
        errors.push(code_taken());
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let before = current.clone();
    let mut row: warehouse::ActiveModel = current.into();
    if let Some(code) = code {
        row.code = Set(code);
    }
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(priority) = changes.priority {
        row.priority = Set(priority);
    }
    match row.update(txn).await {
        Ok(model) => {
            write.audit_target("Warehouse", model.id);
            write.audit_change(Some(&before), Some(&model));
            write.commit().await?;
            Ok(Ok(model))
        }
        // Two updates racing for one code: the unique index decides.
        Err(err) if is_unique_violation(&err) => Ok(Err(vec![code_taken()])),
        Err(err) => Err(err.into()),
    }
}

/// Deletes a warehouse with its empty stock levels; refused while stock is there or orders
/// name it (see the module comment).
pub async fn delete_warehouse(
    writer: &Writer,
    id: Uuid,
) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let write = writer.begin().await?;
    let txn = write.txn();
    // Locked first: allocation and shipping take a key-share lock on the warehouse row
    // through their foreign keys, so nothing can start naming it while we check.
    let Some(current) = lock_warehouse(txn, id).await? else {
        return Ok(Err(vec![not_found()]));
    };
    if let Some(refusal) = in_use(txn, id).await? {
        return Ok(Err(vec![UserError::new(
            &["id"],
            ErrorCode::Invalid,
            refusal,
        )]));
    }
    stock_level::Entity::delete_many()
        .filter(stock_level::Column::WarehouseId.eq(id))
        .exec(txn)
        .await?;
    warehouse::Entity::delete_by_id(id).exec(txn).await?;
    write.audit_target("Warehouse", id);
    write.audit_change(Some(&current), None);
    write.commit().await?;
    Ok(Ok(id))
}

async fn lock_warehouse(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> ApiResult<Option<warehouse::Model>> {
    Ok(warehouse::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Why the warehouse cannot go, if it cannot.
async fn in_use(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<&'static str>> {
    let stocked = stock_level::Entity::find()
        .filter(stock_level::Column::WarehouseId.eq(id))
        .filter(
            stock_level::Column::OnHand
                .gt(0)
                .or(stock_level::Column::Allocated.gt(0)),
        )
        .count(db)
        .await?;
    if stocked > 0 {
        return Ok(Some(
            "the warehouse holds stock; set its stock to 0 (and fulfil or cancel orders allocated there) first",
        ));
    }
    let allocated = order_allocation::Entity::find()
        .filter(order_allocation::Column::WarehouseId.eq(id))
        .count(db)
        .await?;
    if allocated > 0 {
        return Ok(Some(
            "orders have units allocated in this warehouse; fulfil or cancel them first",
        ));
    }
    let shipped = fulfillment_line::Entity::find()
        .filter(fulfillment_line::Column::WarehouseId.eq(id))
        .count(db)
        .await?;
    if shipped > 0 {
        return Ok(Some(
            "shipments were sent from this warehouse; it stays as part of their history",
        ));
    }
    Ok(None)
}
