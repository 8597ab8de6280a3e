//! Who may use a cart. A guest cart (no owner) is usable by whoever holds its id — a random
//! v4 UUID, as unguessable as a session token. A customer's cart only by that customer.
//! Someone else's cart looks exactly like a missing one.

use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::unit_of_work::{Write, Writer};
use entities::cart;
use entities::enums::CartStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub(crate) fn usable_by(cart: &cart::Model, account: Option<Uuid>) -> bool {
    match cart.customer_id {
        None => true,
        Some(owner) => account == Some(owner),
    }
}

/// The cart, when `account` (None: anonymous) may read it.
pub async fn readable(
    db: &impl ConnectionTrait,
    cart_id: Uuid,
    account: Option<Uuid>,
) -> ApiResult<Option<cart::Model>> {
    Ok(cart::Entity::find_by_id(cart_id)
        .one(db)
        .await?
        .filter(|cart| usable_by(cart, account)))
}

/// Inside a write transaction: touches the cart's `updated_at` and returns it, which also
/// locks its row on PostgreSQL until the transaction ends (writes to one cart queue up;
/// SQLite's write lock covers everything). One statement. A missing, foreign or converted
/// cart is a user error; the caller rolls back.
pub async fn lock_for_change(
    txn: &impl ConnectionTrait,
    cart_id: Uuid,
    account: Option<Uuid>,
) -> ApiResult<Result<cart::Model, UserError>> {
    let touched = cart::Entity::update_many()
        .col_expr(cart::Column::UpdatedAt, Expr::value(now()))
        .filter(cart::Column::Id.eq(cart_id))
        .exec_with_returning(txn)
        .await?;
    let Some(cart) = touched.into_iter().next().filter(|c| usable_by(c, account)) else {
        return Ok(Err(not_found()));
    };
    if cart.status != CartStatus::Active {
        return Ok(Err(converted()));
    }
    Ok(Ok(cart))
}

/// Begins a unit of work holding the cart (see `lock_for_change`), or the user error that
/// stops the change.
pub async fn begin_change(
    writer: &Writer,
    cart_id: Uuid,
    account: Option<Uuid>,
) -> ApiResult<Result<(Write, cart::Model), Vec<UserError>>> {
    let write = writer.begin().await?;
    Ok(
        match lock_for_change(write.txn(), cart_id, account).await? {
            Ok(cart) => Ok((write, cart)),
            Err(error) => Err(vec![error]),
        },
    )
}

/// Makes a converted cart ACTIVE again (its order's payment was declined), so the shopper
/// can pay another way.
pub async fn reopen(write: &Write, cart_id: Uuid) -> ApiResult<()> {
    cart::Entity::update_many()
        .col_expr(cart::Column::Status, Expr::value(CartStatus::Active))
        .col_expr(
            cart::Column::ConvertedOrderId,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(cart::Column::UpdatedAt, Expr::value(now()))
        .filter(cart::Column::Id.eq(cart_id))
        .exec(write.txn())
        .await?;
    Ok(())
}

/// Checkout's lock: marks the cart CONVERTED to order `order_id` in the same UPDATE that
/// locks it (the caller rolls back if the checkout is refused). Only an ACTIVE cart matches,
/// so of concurrent checkouts of one cart exactly one gets it. One statement, plus one to
/// tell the shopper why on refusal.
pub async fn claim_for_checkout(
    write: &Write,
    cart_id: Uuid,
    account: Option<Uuid>,
    order_id: Uuid,
) -> ApiResult<Result<cart::Model, UserError>> {
    let claimed = cart::Entity::update_many()
        .col_expr(cart::Column::Status, Expr::value(CartStatus::Converted))
        .col_expr(cart::Column::ConvertedOrderId, Expr::value(Some(order_id)))
        .col_expr(cart::Column::UpdatedAt, Expr::value(now()))
        .filter(cart::Column::Id.eq(cart_id))
        .filter(cart::Column::Status.eq(CartStatus::Active))
        .exec_with_returning(write.txn())
        .await?;
    match claimed.into_iter().next() {
        Some(cart) if usable_by(&cart, account) => Ok(Ok(cart)),
        Some(_) => Ok(Err(not_found())),
        None => match readable(write.txn(), cart_id, account).await? {
            Some(cart) if cart.status == CartStatus::Converted => Ok(Err(converted())),
            _ => Ok(Err(not_found())),
        },
    }
}

pub fn converted() -> UserError {
    UserError::new(
        &["cartId"],
        ErrorCode::CartConverted,
        "this cart is closed (checked out, or merged into a signed-in customer's cart); start a new one",
    )
}

pub fn not_found() -> UserError {
    UserError::new(&["cartId"], ErrorCode::NotFound, "no cart with this id")
}
