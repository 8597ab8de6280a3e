//! Category listing: top-level categories or the children of one, in display order.

use crate::common::pagination::{Cursor, CursorValue, Direction, Page, PageRequest};
use crate::error::{ApiError, ApiResult};
use entities::category;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

/// Cursors of category lists are bound to this ordering: `(position, id)`.
pub const CATEGORY_CURSOR_KEY: &str = "POSITION:ASC";

/// Which categories to list.
#[derive(Clone, Debug, Default)]
pub struct CategoryListing {
    /// Only the children of this category.
    pub parent_id: Option<Uuid>,
    /// Only categories without a parent.
    pub top_level: bool,
}

impl CategoryListing {
    fn filtered(&self) -> Select<category::Entity> {
        let mut select = category::Entity::find();
        if let Some(parent) = self.parent_id {
            select = select.filter(category::Column::ParentId.eq(parent));
        }
        if self.top_level {
            select = select.filter(category::Column::ParentId.is_null());
        }
        select
    }
}

pub async fn list_categories(
    db: &impl ConnectionTrait,
    listing: &CategoryListing,
    page: &PageRequest,
) -> ApiResult<Page<category::Model>> {
    let ascending = page.direction == Direction::Forward;
    let order = if ascending { Order::Asc } else { Order::Desc };
    let mut select = listing.filtered();
    if let Some(cursor) = &page.cursor {
        let Some(CursorValue::Int(position)) = cursor.value else {
            return Err(ApiError::bad_input(
                "the cursor does not match this ordering",
            ));
        };
        let position_col = Expr::col((category::Entity, category::Column::Position));
        let id_col = Expr::col((category::Entity, category::Column::Id));
        let beyond = |left: SimpleExpr, right: sea_orm::Value| {
            if ascending {
                left.gt(right)
            } else {
                left.lt(right)
            }
        };
        select = select.filter(
            Condition::any()
                .add(beyond(position_col.clone(), position.into()))
                .add(
                    Condition::all()
                        .add(position_col.eq(position))
                        .add(beyond(id_col, cursor.id.into())),
                ),
        );
    }
    let rows = select
        .order_by(category::Column::Position, order.clone())
        .order_by(category::Column::Id, order)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, page, |c| Cursor {
        sort_key: CATEGORY_CURSOR_KEY.into(),
        value: Some(CursorValue::Int(i64::from(c.position))),
        id: c.id,
    }))
}

pub async fn count_categories(
    db: &impl ConnectionTrait,
    listing: &CategoryListing,
) -> ApiResult<u64> {
    Ok(listing.filtered().count(db).await?)
}
