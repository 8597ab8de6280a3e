//! Reading orders: one by id for its owner or staff, and pages of them newest first.

use crate::error::{ApiError, ApiResult};
use entities::enums::{OrderPaymentStatus, OrderStatus};
use entities::order;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

/// Which orders a page lists.
#[derive(Clone, Debug, Default)]
pub struct OrderScope {
    pub statuses: Vec<OrderStatus>,
    /// Payment statuses (any of them); empty: all.
    pub payment_statuses: Vec<OrderPaymentStatus>,
    pub customer: Option<Uuid>,
    pub created_after: Option<chrono::DateTime<chrono::Utc>>,
    pub created_before: Option<chrono::DateTime<chrono::Utc>>,
}

impl OrderScope {
    fn query(&self) -> Select<order::Entity> {
        let mut query = order::Entity::find();
        if !self.statuses.is_empty() {
            query = query.filter(order::Column::Status.is_in(self.statuses.iter().copied()));
        }
        if !self.payment_statuses.is_empty() {
            let statuses = self.payment_statuses.iter().copied();
            query = query.filter(order::Column::PaymentStatus.is_in(statuses));
        }
        if let Some(customer) = self.customer {
            query = query.filter(order::Column::CustomerId.eq(customer));
        }
        if let Some(after) = self.created_after {
            query = query.filter(order::Column::CreatedAt.gte(after));
        }
        if let Some(before) = self.created_before {
            query = query.filter(order::Column::CreatedAt.lt(before));
        }
        query
    }
}

/// Up to `first` orders of `scope` with numbers below the cursor's, newest (highest
/// number) first, and whether more follow. The cursor is the last order's number.
pub async fn page(
    db: &impl ConnectionTrait,
    scope: &OrderScope,
    first: u64,
    after: Option<&str>,
) -> ApiResult<(Vec<order::Model>, bool)> {
    let mut query = scope.query().order_by_desc(order::Column::Number);
    if let Some(after) = after {
        let number: i64 = after
            .parse()
            .map_err(|_| ApiError::bad_input("`after` is not a cursor of this list"))?;
        query = query.filter(order::Column::Number.lt(number));
    }
    let mut rows = query.limit(first + 1).all(db).await?;
    let more = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((rows, more))
}

pub async fn count(db: &impl ConnectionTrait, scope: &OrderScope) -> ApiResult<u64> {
    Ok(scope.query().count(db).await?)
}
