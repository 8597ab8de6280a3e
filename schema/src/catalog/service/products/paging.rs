//! One page of a listing: keyset conditions, ordering and the count.

use super::{ProductListing, ProductOrder};
use crate::common::pagination::{Cursor, CursorValue, Direction, Page, PageRequest};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use entities::product;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    Condition, ConnectionTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// One page of the listing, in display order.
pub async fn list_products(
    db: &impl ConnectionTrait,
    listing: &ProductListing,
    page: &PageRequest,
) -> ApiResult<Page<product::Model>> {
    // Backward pages read the ordering from its other end, then `Page` restores the order.
    let ascending = listing.reverse == (page.direction == Direction::Backward);
    let order = if ascending { Order::Asc } else { Order::Desc };
    let id_col = Expr::col((product::Entity, product::Column::Id));
    let (mut select, sort_expr) = listing.ordered()?;

    if let Some(cursor) = &page.cursor {
        select = select.filter(after_cursor(
            listing.order,
            sort_expr.clone(),
            cursor,
            ascending,
        )?);
    }
    if let Some(expr) = sort_expr.clone() {
        select = select.order_by(expr, order.clone());
    }
    select = select.order_by(id_col, order).limit(page.limit + 1);

    let rows: Vec<(product::Model, Option<i64>)> = if listing.order == ProductOrder::Price {
        select
            .into_model::<ProductWithPrice>()
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.product, Some(row.listing_min_amount)))
            .collect()
    } else {
        select
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p, None))
            .collect()
    };

    Ok(listing.page(rows, page))
}

/// A product row with the listing price it was ordered by.
#[derive(Debug, sea_orm::FromQueryResult)]
pub(super) struct ProductWithPrice {
    #[sea_orm(nested)]
    pub product: product::Model,
    pub listing_min_amount: i64,
}

/// Rows strictly after `cursor` in the current reading order:
/// `(sort, id) > (cursor.value, cursor.id)` spelled out, as row-value comparison is not
/// portable.
fn after_cursor(
    order: ProductOrder,
    sort_expr: Option<SimpleExpr>,
    cursor: &Cursor,
    ascending: bool,
) -> ApiResult<Condition> {
    let id_col = Expr::col((product::Entity, product::Column::Id));
    let beyond = |left: SimpleExpr, right: sea_orm::Value| {
        if ascending {
            left.gt(right)
        } else {
            left.lt(right)
        }
    };
    let Some(sort_expr) = sort_expr else {
        return Ok(Condition::all().add(beyond(id_col, cursor.id.into())));
    };
    let invalid = || ApiError::bad_input("the cursor does not match this ordering");
    let value: sea_orm::Value = match (order, &cursor.value) {
        (ProductOrder::Name, Some(CursorValue::Text(name))) => name.clone().into(),
        (ProductOrder::Price | ProductOrder::UnitsSold, Some(CursorValue::Int(n))) => (*n).into(),
        (ProductOrder::Created, Some(CursorValue::Int(micros))) => {
            let at: DateTime<Utc> = DateTime::from_timestamp_micros(*micros).ok_or_else(invalid)?;
            at.into()
        }
        _ => return Err(invalid()),
    };
    Ok(Condition::any()
        .add(beyond(sort_expr.clone(), value.clone()))
        .add(
            Condition::all()
                .add(sort_expr.eq(value))
                .add(beyond(id_col, cursor.id.into())),
        ))
}

/// How many products match the listing's filters (ignores paging).
pub async fn count_products(db: &impl ConnectionTrait, listing: &ProductListing) -> ApiResult<u64> {
    Ok(listing.filtered()?.count(db).await?)
}
