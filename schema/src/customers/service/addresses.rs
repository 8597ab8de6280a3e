//! The address book (`customer_addresses`), its only writer.
//!
//! Rules: an address belongs to one customer, and another customer's id is answered like an
//! unknown one (NOT_FOUND, nothing changed). At most [`MAX_ADDRESSES`] per customer. At most
//! one is the default: the first address saved becomes it; deleting it makes the newest
//! remaining address the default (the one most recently added is the likeliest still in
//! use). Each change runs in one unit that first locks the customer's row (PostgreSQL), so
//! two changes of one address book at once cannot both pass the cap or leave two defaults.

use crate::carts::service::details::clean_address;
use crate::common::clock::now;
use crate::common::transaction::for_update;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiError, ApiResult};
use crate::unit_of_work::{Write, Writer};
use entities::json::MailingAddress;
use entities::{customer, customer_address as address};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// Most addresses one customer may keep.
pub const MAX_ADDRESSES: u64 = 50;

/// The outcome of a change: the address book afterwards' changed entry, or the refusals.
pub type Outcome<T> = ApiResult<Result<T, Vec<UserError>>>;

fn not_found(field: &str) -> Vec<UserError> {
    vec![UserError::new(
        &[field],
        ErrorCode::NotFound,
        "no address with this id in your address book",
    )]
}

/// The customer's addresses, oldest first.
pub async fn list(db: &impl ConnectionTrait, account: Uuid) -> ApiResult<Vec<address::Model>> {
    Ok(address::Entity::find()
        .filter(address::Column::CustomerId.eq(account))
        .order_by_asc(address::Column::Id)
        .all(db)
        .await?)
}

/// The customer's default address, if any: what other contexts (a new cart) prefill with.
pub async fn default_address(
    db: &impl ConnectionTrait,
    account: Uuid,
) -> ApiResult<Option<MailingAddress>> {
    Ok(address::Entity::find()
        .filter(address::Column::CustomerId.eq(account))
        .filter(address::Column::IsDefault.eq(true))
        .one(db)
        .await?
        .map(|row| row.address))
}

/// Begins a unit holding the customer's row, so their address book changes one at a time.
async fn begin_for(writer: &Writer, account: Uuid) -> ApiResult<Write> {
    let write = writer.begin().await?;
    let found = for_update(customer::Entity::find_by_id(account), write.txn())
        .one(write.txn())
        .await?;
    if found.is_none() {
        return Err(ApiError::Unauthenticated);
    }
    Ok(write)
}

async fn owned(write: &Write, account: Uuid, id: Uuid) -> ApiResult<Option<address::Model>> {
    Ok(address::Entity::find_by_id(id)
        .filter(address::Column::CustomerId.eq(account))
        .one(write.txn())
        .await?)
}

/// Makes `id` the only default of `account`.
async fn make_default(write: &Write, account: Uuid, id: Uuid) -> ApiResult<()> {
    address::Entity::update_many()
        .col_expr(address::Column::IsDefault, address::Column::Id.eq(id))
        .filter(address::Column::CustomerId.eq(account))
        .exec(write.txn())
        .await?;
    Ok(())
}

fn checked(address: MailingAddress) -> Result<MailingAddress, Vec<UserError>> {
    let mut errors = Vec::new();
    let cleaned = clean_address(address, &["address"], &mut errors);
    if errors.is_empty() {
        Ok(cleaned)
    } else {
        Err(errors)
    }
}

/// Saves a new address; it becomes the default when asked or when it is the first.
pub async fn create(
    writer: &Writer,
    account: Uuid,
    address: MailingAddress,
    set_as_default: bool,
) -> Outcome<address::Model> {
    let address = match checked(address) {
        Ok(address) => address,
        Err(errors) => return Ok(Err(errors)),
    };
    let write = begin_for(writer, account).await?;
    let count = address::Entity::find()
        .filter(address::Column::CustomerId.eq(account))
        .count(write.txn())
        .await?;
    if count >= MAX_ADDRESSES {
        return Ok(Err(vec![UserError::new(
            &[],
            ErrorCode::LimitReached,
            format!("an address book holds at most {MAX_ADDRESSES} addresses; delete one first"),
        )]));
    }
    let at = now();
    let id = Uuid::now_v7();
    let is_default = set_as_default || count == 0;
    if is_default {
        make_default(&write, account, id).await?;
    }
    let saved = address::ActiveModel {
        id: Set(id),
        customer_id: Set(account),
        address: Set(address),
        is_default: Set(is_default),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(write.txn())
    .await?;
    write.commit().await?;
    Ok(Ok(saved))
}

/// Replaces the address `id` of `account`.
pub async fn update(
    writer: &Writer,
    account: Uuid,
    id: Uuid,
    address: MailingAddress,
) -> Outcome<address::Model> {
    let address = match checked(address) {
        Ok(address) => address,
        Err(errors) => return Ok(Err(errors)),
    };
    let write = begin_for(writer, account).await?;
    let Some(found) = owned(&write, account, id).await? else {
        return Ok(Err(not_found("id")));
    };
    let mut row = found.into_active_model();
    row.address = Set(address);
    row.updated_at = Set(now());
    let saved = row.update(write.txn()).await?;
    write.commit().await?;
    Ok(Ok(saved))
}

/// Deletes the address `id` of `account`; if it was the default, the newest remaining one
/// becomes the default. Returns the deleted address's id.
pub async fn delete(writer: &Writer, account: Uuid, id: Uuid) -> Outcome<Uuid> {
    let write = begin_for(writer, account).await?;
    let Some(found) = owned(&write, account, id).await? else {
        return Ok(Err(not_found("id")));
    };
    address::Entity::delete_by_id(found.id)
        .exec(write.txn())
        .await?;
    if found.is_default {
        let newest = address::Entity::find()
            .filter(address::Column::CustomerId.eq(account))
            .order_by_desc(address::Column::Id)
            .one(write.txn())
            .await?;
        if let Some(newest) = newest {
            make_default(&write, account, newest.id).await?;
        }
    }
    write.commit().await?;
    Ok(Ok(found.id))
}

/// Makes the address `id` of `account` its default.
pub async fn set_default(writer: &Writer, account: Uuid, id: Uuid) -> Outcome<address::Model> {
    let write = begin_for(writer, account).await?;
    let Some(found) = owned(&write, account, id).await? else {
        return Ok(Err(not_found("addressId")));
    };
    make_default(&write, account, found.id).await?;
    write.commit().await?;
    Ok(Ok(address::Model {
        is_default: true,
        ..found
    }))
}
