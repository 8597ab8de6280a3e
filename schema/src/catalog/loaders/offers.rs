//! The variants of products *with* their prices and stock, in one statement.
//!
//! A storefront shows a product's variants, their prices and availability, the product's
//! price range and whether it is in stock. Read edge by edge that is five statements (variants,
//! prices, stock, price ranges, product availability); all five figures derive from the same
//! rows, so they are read together once and the resolvers compute what they show from them.

use super::{CatalogLoader, LoadResult, ids};
use async_graphql::dataloader::Loader;
use entities::{product_variant, stock_level, variant_price};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable, JoinType, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait,
};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// The variants of a product, in display order, each with its prices and available units.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct VariantOffersOfProduct(pub Uuid);

/// A variant with what a storefront shows of it.
#[derive(Clone, Debug)]
pub struct VariantOffer {
    pub variant: product_variant::Model,
    /// One price per currency the variant is sold in (none when it is not priced yet).
    pub prices: Vec<variant_price::Model>,
    /// Units that can be sold now: Σ over warehouses of max(on hand − allocated, 0), the
    /// figure `StockOfVariant` gives.
    pub available: i64,
}

/// The prefix of the price columns in the joined rows (variants and prices share no column
/// name today; the prefix keeps it that way whatever columns either table gains). It must be
/// the `nested(prefix)` of `OfferRow::price`, which the derive wants as a literal.
const PRICE_PREFIX: &str = "price_";

/// One row per (variant, price): a variant without prices comes once, with `price` null.
#[derive(Debug, FromQueryResult)]
struct OfferRow {
    #[sea_orm(nested)]
    variant: product_variant::Model,
    #[sea_orm(nested(prefix = "price_"))]
    price: Option<variant_price::Model>,
    /// Null when the variant has no stock row in any warehouse.
    available: Option<i64>,
}

impl Loader<VariantOffersOfProduct> for CatalogLoader {
    type Value = Vec<VariantOffer>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[VariantOffersOfProduct],
    ) -> LoadResult<VariantOffersOfProduct, Self::Value> {
        let product_ids = ids(keys, |k| k.0);
        let mut select = product_variant::Entity::find()
            .join(
                JoinType::LeftJoin,
                product_variant::Relation::VariantPrice.def(),
            )
            .expr_as(available_units(), "available")
            .filter(product_variant::Column::ProductId.is_in(product_ids.clone()))
            .order_by_asc(product_variant::Column::ProductId)
            .order_by_asc(product_variant::Column::Position)
            .order_by_asc(product_variant::Column::Id)
            .order_by_asc(variant_price::Column::CurrencyCode);
        for column in variant_price::Column::iter() {
            select = select.column_as(column, format!("{PRICE_PREFIX}{}", column.as_str()));
        }
        let rows = select.into_model::<OfferRow>().all(&self.db).await?;

        // The answer shows stock of these products and variants: a stock change to any of them
        // must drop it from the response cache.
        self.reads.stock_of(product_ids);
        self.reads.stock_of(rows.iter().map(|r| r.variant.id));

        let mut offers: HashMap<VariantOffersOfProduct, Vec<VariantOffer>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        // Rows come ordered by product, then variant: a variant's price rows are adjacent.
        for row in rows {
            let list = offers
                .entry(VariantOffersOfProduct(row.variant.product_id))
                .or_default();
            match list.last_mut() {
                Some(last) if last.variant.id == row.variant.id => last.prices.extend(row.price),
                _ => list.push(VariantOffer {
                    prices: row.price.into_iter().collect(),
                    available: row.available.unwrap_or(0),
                    variant: row.variant,
                }),
            }
        }
        Ok(offers)
    }
}

/// `(SELECT CAST(SUM(MAX(on_hand - allocated, 0)) AS BIGINT) FROM stock_levels WHERE
/// variant_id = product_variants.id)`: a correlated subquery rather than a join, so the
/// stock rows (one per warehouse) do not multiply the price rows (one per currency). It reads
/// through the (variant_id, warehouse_id) primary key. `GREATEST` is spelled `MAX(a, b)` on
/// SQLite by the query builder; the cast makes the sum decode as i64 on both databases.
fn available_units() -> Expr {
    let on_hand = Expr::col((stock_level::Entity, stock_level::Column::OnHand));
    let allocated = Expr::col((stock_level::Entity, stock_level::Column::Allocated));
    let per_warehouse = Func::greatest([on_hand.sub(allocated), Expr::val(0)]);
    let units = Query::select()
        .expr(Func::cast_as(Func::sum(per_warehouse), "BIGINT"))
        .from(stock_level::Entity)
        .and_where(
            Expr::col((stock_level::Entity, stock_level::Column::VariantId))
                .equals((product_variant::Entity, product_variant::Column::Id)),
        )
        .to_owned();
    units.into()
}
