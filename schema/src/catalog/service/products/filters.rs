//! The listing's conditions as SQL. Subqueries are built with sea-query (never with
//! placeholders in strings: SQLite and PostgreSQL spell them differently).

use crate::common::money::CurrencyCode;
use entities::{category, collection_product, product, product_variant, variant_price};
use sea_orm::JoinType;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr};
use uuid::Uuid;

/// A product has stock when one of its variants has more on hand than allocated somewhere.
pub(super) fn in_stock() -> SimpleExpr {
    Expr::cust(IN_STOCK_SQL)
}

const IN_STOCK_SQL: &str = "EXISTS (SELECT 1 FROM stock_levels s JOIN product_variants v ON v.id = s.variant_id \
     WHERE v.product_id = \"products\".\"id\" AND s.on_hand > s.allocated)";

/// `category_id` is one of the given categories or any of their descendants. Categories keep a
/// materialised `path` of ancestor ids, so "descendant" is a prefix match.
pub(super) fn in_category_trees(roots: &[Uuid]) -> SimpleExpr {
    let (c, r) = (Alias::new("c"), Alias::new("r"));
    let descendants = Query::select()
        .column((c.clone(), category::Column::Id))
        .from_as(category::Entity, c.clone())
        .join_as(
            JoinType::InnerJoin,
            category::Entity,
            r.clone(),
            Expr::cust(r#""c"."path" LIKE "r"."path" || '%'"#),
        )
        .and_where(Expr::col((r, category::Column::Id)).is_in(roots.iter().copied()))
        .to_owned();
    Expr::col((product::Entity, product::Column::CategoryId)).in_subquery(descendants)
}

/// One of the product's variants is priced within `[min, max]` in `currency`.
pub(super) fn priced_between(
    currency: CurrencyCode,
    min: Option<i64>,
    max: Option<i64>,
) -> SimpleExpr {
    let (vp, v) = (Alias::new("vp"), Alias::new("v"));
    let mut priced = Query::select()
        .expr(Expr::val(1))
        .from_as(variant_price::Entity, vp.clone())
        .join_as(
            JoinType::InnerJoin,
            product_variant::Entity,
            v.clone(),
            Expr::col((v.clone(), product_variant::Column::Id))
                .equals((vp.clone(), variant_price::Column::VariantId)),
        )
        .and_where(
            Expr::col((v, product_variant::Column::ProductId))
                .equals((product::Entity, product::Column::Id)),
        )
        .and_where(
            Expr::col((vp.clone(), variant_price::Column::CurrencyCode)).eq(currency.as_str()),
        )
        .to_owned();
    if let Some(min) = min {
        priced.and_where(Expr::col((vp.clone(), variant_price::Column::Amount)).gte(min));
    }
    if let Some(max) = max {
        priced.and_where(Expr::col((vp, variant_price::Column::Amount)).lte(max));
    }
    Expr::exists(priced)
}

/// The product is a member of the collection.
pub(super) fn in_collection(collection_id: Uuid) -> SimpleExpr {
    let members = Query::select()
        .column(collection_product::Column::ProductId)
        .from(collection_product::Entity)
        .and_where(Expr::col(collection_product::Column::CollectionId).eq(collection_id))
        .to_owned();
    Expr::col((product::Entity, product::Column::Id)).in_subquery(members)
}
