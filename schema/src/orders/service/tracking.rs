//! A guest's order status page (the hosted checkout's last step, and the link in mails):
//! the order an access key opens, named in the address by its number or its id. The key
//! decides which order is shown; the name only has to agree with it, so a wrong key or a
//! key of another order opens nothing, exactly as no order at all.

use super::access_keys;
use crate::error::ApiResult;
use entities::{order, order_line};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// An order with its snapshot lines, in checkout's order.
pub struct TrackedOrder {
    pub order: order::Model,
    pub lines: Vec<order_line::Model>,
}

/// The order `key` opens when `reference` names it (its number, or its id), with its lines:
/// two statements. `None` for anything else.
pub async fn order_for_key(
    db: &impl ConnectionTrait,
    reference: &str,
    key: &str,
) -> ApiResult<Option<TrackedOrder>> {
    let Some(order) = access_keys::order_opened_by(db, key).await? else {
        return Ok(None);
    };
    let reference = reference.trim();
    let named = reference == order.number.to_string()
        || reference.eq_ignore_ascii_case(&order.id.to_string());
    if !named {
        return Ok(None);
    }
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order.id))
        .order_by_asc(order_line::Column::Position)
        .all(db)
        .await?;
    Ok(Some(TrackedOrder { order, lines }))
}

/// The number of order `order_id` (a converted cart's page names the order it became).
pub async fn number_of(db: &impl ConnectionTrait, order_id: uuid::Uuid) -> ApiResult<Option<i64>> {
    Ok(order::Entity::find_by_id(order_id)
        .one(db)
        .await?
        .map(|order| order.number))
}
