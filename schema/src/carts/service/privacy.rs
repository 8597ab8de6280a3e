//! A customer's carts for their data export, and account deletion's part in carts.

use crate::error::ApiResult;
use crate::unit_of_work::Write;
use entities::json::MailingAddress;
use entities::{cart, cart_line};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

/// Every cart of `customer_id` (active and checked out) with its lines, oldest first.
pub async fn export_customer(db: &impl ConnectionTrait, customer_id: Uuid) -> ApiResult<Value> {
    let carts = cart::Entity::find()
        .filter(cart::Column::CustomerId.eq(customer_id))
        .order_by_asc(cart::Column::CreatedAt)
        .all(db)
        .await?;
    let lines = cart_line::Entity::find()
        .filter(cart_line::Column::CartId.is_in(carts.iter().map(|c| c.id)))
        .order_by_asc(cart_line::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(Value::Array(
        carts
            .iter()
            .map(|c| {
                let lines: Vec<&cart_line::Model> =
                    lines.iter().filter(|l| l.cart_id == c.id).collect();
                json!({ "cart": c, "lines": lines })
            })
            .collect(),
    ))
}

fn of_person(customer_id: Uuid, email: &str) -> Condition {
    Condition::any()
        .add(cart::Column::CustomerId.eq(customer_id))
        .add(cart::Column::Email.eq(email))
}

/// The addresses on the person's carts and on guest carts carrying their email.
pub async fn addresses_of(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
    email: &str,
) -> ApiResult<Vec<MailingAddress>> {
    Ok(cart::Entity::find()
        .filter(of_person(customer_id, email))
        .all(db)
        .await?
        .into_iter()
        .flat_map(|c| [c.shipping_address, c.billing_address])
        .flatten()
        .collect())
}

/// Deletes the carts of `customer_id` (their lines go with them) and strips the email and
/// addresses from guest carts that carry `email`: a guest cart is a credential anyone with
/// its id holds, so it must not keep the person's details.
pub async fn erase_customer(write: &mut Write, customer_id: Uuid, email: &str) -> ApiResult<()> {
    let txn = write.txn();
    cart::Entity::delete_many()
        .filter(cart::Column::CustomerId.eq(customer_id))
        .exec(txn)
        .await?;
    cart::Entity::update_many()
        .col_expr(cart::Column::Email, Expr::value(None::<String>))
        .col_expr(
            cart::Column::ShippingAddress,
            Expr::value(sea_orm::Value::Json(None)),
        )
        .col_expr(
            cart::Column::BillingAddress,
            Expr::value(sea_orm::Value::Json(None)),
        )
        .filter(cart::Column::Email.eq(email))
        .exec(txn)
        .await?;
    Ok(())
}
