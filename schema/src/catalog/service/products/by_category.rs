//! The first page and the count of one listing for many categories at once, so that
//! `categories { products(first: n) { … } }` costs one statement, not one per category.
//!
//! Each category's products include those of its descendants: products are joined to their
//! category `c`, and `c` to every requested scope category `r` whose path prefixes its own.
//! `ROW_NUMBER() OVER (PARTITION BY r.id …)` ranks products within each scope in the listing's
//! order (SQLite ≥ 3.25 and PostgreSQL both have window functions).

use super::{PRICE_COLUMN, ProductListing, ProductOrder};
use crate::error::ApiResult;
use entities::{category, product};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult, JoinType, Order, QuerySelect, QueryTrait};
use std::collections::HashMap;
use uuid::Uuid;

const SCOPE: &str = "scope_category";
const PRODUCT_CATEGORY: &str = "product_category";

/// Joins each product to every requested category whose tree holds it, exposing the scope
/// category's id as `scope_id`.
fn scoped(mut statement: SelectStatement, scope_ids: &[Uuid]) -> SelectStatement {
    let (c, r) = (Alias::new(PRODUCT_CATEGORY), Alias::new(SCOPE));
    statement
        .join_as(
            JoinType::InnerJoin,
            category::Entity,
            c.clone(),
            Expr::col((c.clone(), category::Column::Id))
                .equals((product::Entity, product::Column::CategoryId)),
        )
        .join_as(
            JoinType::InnerJoin,
            category::Entity,
            r.clone(),
            Expr::cust(format!(
                r#""{PRODUCT_CATEGORY}"."path" LIKE "{SCOPE}"."path" || '%'"#
            )),
        )
        .and_where(Expr::col((r.clone(), category::Column::Id)).is_in(scope_ids.iter().copied()))
        .expr_as(Expr::col((r, category::Column::Id)), "scope_id");
    statement
}

/// The first `limit` rows of `listing` (which must not filter by category itself) in each of
/// `scope_ids`, with the listing price when ordered by price.
pub async fn first_pages_by_category(
    db: &impl ConnectionTrait,
    scope_ids: &[Uuid],
    listing: &ProductListing,
    limit: u64,
) -> ApiResult<HashMap<Uuid, Vec<(product::Model, Option<i64>)>>> {
    let (select, _) = listing.ordered()?;
    let direction = if listing.reverse { "DESC" } else { "ASC" };
    let sort = match listing.order {
        ProductOrder::Id => String::new(),
        ProductOrder::Name => format!(r#""products"."name" {direction}, "#),
        ProductOrder::Created => format!(r#""products"."created_at" {direction}, "#),
        ProductOrder::UnitsSold => format!(r#""products"."units_sold" {direction}, "#),
        ProductOrder::Price => format!(r#""{}"."min_amount" {direction}, "#, super::PRICE_ALIAS),
    };
    let rank = Expr::cust(format!(
        r#"ROW_NUMBER() OVER (PARTITION BY "{SCOPE}"."id" ORDER BY {sort}"products"."id" {direction})"#
    ));
    let mut ranked = scoped(select.into_query(), scope_ids);
    ranked.expr_as(rank, "scope_rank");

    let ranked_alias = Alias::new("ranked");
    let statement = Query::select()
        .column(Asterisk)
        .from_subquery(ranked, ranked_alias.clone())
        .and_where(Expr::col((ranked_alias.clone(), Alias::new("scope_rank"))).lte(limit + 1))
        .order_by((ranked_alias.clone(), Alias::new("scope_id")), Order::Asc)
        .order_by((ranked_alias, Alias::new("scope_rank")), Order::Asc)
        .to_owned();

    let mut pages: HashMap<Uuid, Vec<(product::Model, Option<i64>)>> =
        scope_ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in db.query_all(&statement).await? {
        let scope: Uuid = row.try_get("", "scope_id")?;
        let product = product::Model::from_query_result(&row, "")?;
        let price = match listing.order {
            ProductOrder::Price => Some(row.try_get::<i64>("", PRICE_COLUMN)?),
            _ => None,
        };
        pages.entry(scope).or_default().push((product, price));
    }
    Ok(pages)
}

/// How many products of `listing` each of `scope_ids` holds (descendants included).
pub async fn counts_by_category(
    db: &impl ConnectionTrait,
    scope_ids: &[Uuid],
    listing: &ProductListing,
) -> ApiResult<HashMap<Uuid, u64>> {
    let mut statement = scoped(listing.filtered()?.select_only().into_query(), scope_ids);
    statement
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "product_count")
        .group_by_col((Alias::new(SCOPE), category::Column::Id));
    let mut counts: HashMap<Uuid, u64> = scope_ids.iter().map(|id| (*id, 0)).collect();
    for row in db.query_all(&statement).await? {
        let scope: Uuid = row.try_get("", "scope_id")?;
        let count: i64 = row.try_get("", "product_count")?;
        counts.insert(scope, u64::try_from(count).unwrap_or(0));
    }
    Ok(counts)
}
