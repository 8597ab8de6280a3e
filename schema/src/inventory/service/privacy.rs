//! A person's back-in-stock subscriptions for their data export, and account deletion's
//! part in them.

use crate::error::ApiResult;
use crate::unit_of_work::Write;
use entities::back_in_stock_subscription as subscription;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use uuid::Uuid;

/// Subscriptions asked for by the account, or for its email while signed out.
fn of_person(customer_id: Uuid, email: &str) -> Condition {
    Condition::any()
        .add(subscription::Column::CustomerId.eq(customer_id))
        .add(subscription::Column::Email.eq(email))
}

pub async fn export_customer(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
    email: &str,
) -> ApiResult<Value> {
    let found = subscription::Entity::find()
        .filter(of_person(customer_id, email))
        .order_by_asc(subscription::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(serde_json::to_value(found).unwrap_or(Value::Null))
}

/// Deletes them, notified or waiting.
pub async fn erase_customer(write: &mut Write, customer_id: Uuid, email: &str) -> ApiResult<()> {
    subscription::Entity::delete_many()
        .filter(of_person(customer_id, email))
        .exec(write.txn())
        .await?;
    Ok(())
}
