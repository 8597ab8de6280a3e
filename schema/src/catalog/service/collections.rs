//! Collection reads: the list of collections (by title), a collection's products in its own
//! order (`position`), and what the loaders batch — the first page and the count of many
//! collections at once, and the collections of many products.
//!
//! Shoppers see only ACTIVE members; staff who see the unpublished catalog see all of them
//! (`include_unpublished`), as in every other catalog read.

use crate::common::pagination::{Cursor, CursorValue, Direction, Page, PageRequest};
use crate::error::{ApiError, ApiResult};
use entities::enums::ProductStatus;
use entities::{collection, collection_product, product};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationTrait, Select,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Cursors of `collections` are bound to this ordering: `(title, id)`.
pub const COLLECTION_CURSOR_KEY: &str = "TITLE:ASC";
/// Cursors of `Collection.products` are bound to the collection's order: `(position, id)`.
pub const MEMBER_CURSOR_KEY: &str = "COLLECTION:POSITION";

/// Collections ordered by title (then id): what a storefront's collection index shows.
pub async fn list_collections(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> ApiResult<Page<collection::Model>> {
    let ascending = page.direction == Direction::Forward;
    let order = if ascending { Order::Asc } else { Order::Desc };
    let mut select = collection::Entity::find();
    if let Some(cursor) = &page.cursor {
        let Some(CursorValue::Text(title)) = &cursor.value else {
            return Err(ApiError::bad_input(
                "the cursor does not match this ordering",
            ));
        };
        let title_col = Expr::col((collection::Entity, collection::Column::Title));
        let id_col = Expr::col((collection::Entity, collection::Column::Id));
        select = select.filter(beyond(
            title_col,
            title.clone().into(),
            id_col,
            cursor.id,
            ascending,
        ));
    }
    let rows = select
        .order_by(collection::Column::Title, order.clone())
        .order_by(collection::Column::Id, order)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, page, |c| Cursor {
        sort_key: COLLECTION_CURSOR_KEY.into(),
        value: Some(CursorValue::Text(c.title.clone())),
        id: c.id,
    }))
}

pub async fn count_collections(db: &impl ConnectionTrait) -> ApiResult<u64> {
    Ok(collection::Entity::find().count(db).await?)
}

/// `(sort, id)` strictly beyond `(value, id)` in the reading order, spelled out (row-value
/// comparison is not portable).
fn beyond(
    sort: SimpleExpr,
    value: sea_orm::Value,
    id_col: SimpleExpr,
    id: Uuid,
    ascending: bool,
) -> Condition {
    let past = |left: SimpleExpr, right: sea_orm::Value| {
        if ascending {
            left.gt(right)
        } else {
            left.lt(right)
        }
    };
    Condition::any().add(past(sort.clone(), value.clone())).add(
        Condition::all()
            .add(sort.eq(value))
            .add(past(id_col, id.into())),
    )
}

/// A product with its place in the collection it was read through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub product: product::Model,
    pub position: i32,
}

/// The products of the collections, joined to their membership rows; only ACTIVE ones unless
/// `include_unpublished`.
fn members(include_unpublished: bool) -> Select<product::Entity> {
    let mut select = product::Entity::find().join(
        JoinType::InnerJoin,
        collection_product::Relation::Product.def().rev(),
    );
    if !include_unpublished {
        select = select.filter(product::Column::Status.eq(ProductStatus::Active));
    }
    select
}

fn member_cursor(collection_id: Uuid, member: &Member) -> Cursor {
    // The collection is part of the key so a cursor of another collection is refused.
    Cursor {
        sort_key: format!("{MEMBER_CURSOR_KEY}:{collection_id}"),
        value: Some(CursorValue::Int(i64::from(member.position))),
        id: member.product.id,
    }
}

/// The cursor key of `collection_id`'s product pages.
pub fn member_cursor_key(collection_id: Uuid) -> String {
    format!("{MEMBER_CURSOR_KEY}:{collection_id}")
}

/// Turns rows read with `limit + 1` into a page of the collection.
pub fn member_page(
    collection_id: Uuid,
    rows: Vec<Member>,
    request: &PageRequest,
) -> Page<product::Model> {
    let page = Page::from_rows(rows, request, |m| member_cursor(collection_id, m));
    Page {
        items: page
            .items
            .into_iter()
            .map(|(cursor, m)| (cursor, m.product))
            .collect(),
        page_info: page.page_info,
    }
}

#[derive(Debug, FromQueryResult)]
struct MemberRow {
    #[sea_orm(nested)]
    product: product::Model,
    member_position: i32,
}

/// One page of a collection's products in its order (any page; the loader batches first
/// pages).
pub async fn collection_products(
    db: &impl ConnectionTrait,
    collection_id: Uuid,
    include_unpublished: bool,
    page: &PageRequest,
) -> ApiResult<Page<product::Model>> {
    let ascending = page.direction == Direction::Forward;
    let order = if ascending { Order::Asc } else { Order::Desc };
    let position = Expr::col((
        collection_product::Entity,
        collection_product::Column::Position,
    ));
    let mut select = members(include_unpublished)
        .filter(collection_product::Column::CollectionId.eq(collection_id))
        .expr_as(position.clone(), "member_position");
    if let Some(cursor) = &page.cursor {
        let Some(CursorValue::Int(at)) = cursor.value else {
            return Err(ApiError::bad_input(
                "the cursor does not match this ordering",
            ));
        };
        let id_col = Expr::col((product::Entity, product::Column::Id));
        select = select.filter(beyond(
            position.clone(),
            at.into(),
            id_col,
            cursor.id,
            ascending,
        ));
    }
    let rows = select
        .order_by(position, order.clone())
        .order_by(product::Column::Id, order)
        .limit(page.limit + 1)
        .into_model::<MemberRow>()
        .all(db)
        .await?
        .into_iter()
        .map(|r| Member {
            product: r.product,
            position: r.member_position,
        })
        .collect();
    Ok(member_page(collection_id, rows, page))
}

/// The first `limit + 1` members of each collection, in order: one statement for all of them
/// (`ROW_NUMBER() OVER (PARTITION BY collection_id …)`, which SQLite ≥ 3.25 and PostgreSQL
/// both have).
pub async fn first_members_by_collection(
    db: &impl ConnectionTrait,
    collection_ids: &[Uuid],
    include_unpublished: bool,
    limit: u64,
) -> ApiResult<HashMap<Uuid, Vec<Member>>> {
    let mut ranked = members(include_unpublished)
        .filter(collection_product::Column::CollectionId.is_in(collection_ids.iter().copied()))
        .expr_as(
            Expr::col((
                collection_product::Entity,
                collection_product::Column::Position,
            )),
            "member_position",
        )
        .expr_as(
            Expr::col((
                collection_product::Entity,
                collection_product::Column::CollectionId,
            )),
            "member_collection_id",
        )
        .into_query();
    ranked.expr_as(
        Expr::cust(
            r#"ROW_NUMBER() OVER (PARTITION BY "collection_products"."collection_id" ORDER BY "collection_products"."position", "products"."id")"#,
        ),
        "member_rank",
    );
    let alias = Alias::new("ranked");
    let statement = Query::select()
        .column(Asterisk)
        .from_subquery(ranked, alias.clone())
        .and_where(Expr::col((alias.clone(), Alias::new("member_rank"))).lte(limit + 1))
        .order_by(
            (alias.clone(), Alias::new("member_collection_id")),
            Order::Asc,
        )
        .order_by((alias, Alias::new("member_rank")), Order::Asc)
        .to_owned();
    let mut pages: HashMap<Uuid, Vec<Member>> =
        collection_ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in db.query_all(&statement).await? {
        let collection_id: Uuid = row.try_get("", "member_collection_id")?;
        let member = Member {
            product: product::Model::from_query_result(&row, "")?,
            position: row.try_get("", "member_position")?,
        };
        pages.entry(collection_id).or_default().push(member);
    }
    Ok(pages)
}

/// How many (visible) products each collection holds.
pub async fn counts_by_collection(
    db: &impl ConnectionTrait,
    collection_ids: &[Uuid],
    include_unpublished: bool,
) -> ApiResult<HashMap<Uuid, u64>> {
    let rows: Vec<(Uuid, i64)> = members(include_unpublished)
        .select_only()
        .column(collection_product::Column::CollectionId)
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "member_count")
        .filter(collection_product::Column::CollectionId.is_in(collection_ids.iter().copied()))
        .group_by(collection_product::Column::CollectionId)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts: HashMap<Uuid, u64> = collection_ids.iter().map(|id| (*id, 0)).collect();
    for (id, count) in rows {
        counts.insert(id, u64::try_from(count).unwrap_or(0));
    }
    Ok(counts)
}

#[derive(Debug, FromQueryResult)]
struct CollectionOfProduct {
    #[sea_orm(nested)]
    collection: collection::Model,
    member_product_id: Uuid,
}

/// The collections each product is in, by title: one statement for all the products.
pub async fn collections_of_products(
    db: &impl ConnectionTrait,
    product_ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<collection::Model>>> {
    let rows = collection::Entity::find()
        .join(
            JoinType::InnerJoin,
            collection_product::Relation::Collection.def().rev(),
        )
        .expr_as(
            Expr::col((
                collection_product::Entity,
                collection_product::Column::ProductId,
            )),
            "member_product_id",
        )
        .filter(collection_product::Column::ProductId.is_in(product_ids.iter().copied()))
        .order_by_asc(collection::Column::Title)
        .order_by_asc(collection::Column::Id)
        .into_model::<CollectionOfProduct>()
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<collection::Model>> =
        product_ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in rows {
        out.entry(row.member_product_id)
            .or_default()
            .push(row.collection);
    }
    Ok(out)
}
