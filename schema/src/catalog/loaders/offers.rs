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
    ColumnTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
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

/// One row per variant: its prices as a JSON array (`[]` when it has none) and its units.
#[derive(Debug, FromQueryResult)]
struct OfferRow {
    #[sea_orm(nested)]
    variant: product_variant::Model,
    prices: String,
    /// Null when the variant has no stock row in any warehouse.
    available: Option<i64>,
}

/// One element of `OfferRow::prices`.
#[derive(serde::Deserialize)]
struct PriceEntry {
    currency_code: String,
    amount: i64,
    compare_at_amount: Option<i64>,
}

impl Loader<VariantOffersOfProduct> for CatalogLoader {
    /// Shared: `variants`, `priceRange` and `availableForSale` of a product each take the
    /// loaded offers, and the loader hands out a clone per call.
    type Value = Arc<[VariantOffer]>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[VariantOffersOfProduct],
    ) -> LoadResult<VariantOffersOfProduct, Self::Value> {
        let product_ids = ids(keys, |k| k.0);
        let backend = self.db.get_database_backend();
        let rows = product_variant::Entity::find()
            .expr_as(prices_as_json(backend), "prices")
            .expr_as(available_units(), "available")
            .filter(product_variant::Column::ProductId.is_in(product_ids.clone()))
            .order_by_asc(product_variant::Column::ProductId)
            .order_by_asc(product_variant::Column::Position)
            .order_by_asc(product_variant::Column::Id)
            .into_model::<OfferRow>()
            .all(&self.db)
            .await?;

        // The answer shows stock of these products and variants: a stock change to any of them
        // must drop it from the response cache.
        self.reads.stock_of(product_ids);
        self.reads.stock_of(rows.iter().map(|r| r.variant.id));

        let mut offers: HashMap<VariantOffersOfProduct, Vec<VariantOffer>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            let entries: Vec<PriceEntry> = serde_json::from_str(&row.prices).map_err(|err| {
                Arc::new(DbErr::Custom(format!(
                    "prices of variant {}: {err}",
                    row.variant.id
                )))
            })?;
            let mut prices: Vec<variant_price::Model> = entries
                .into_iter()
                .map(|entry| variant_price::Model {
                    variant_id: row.variant.id,
                    currency_code: entry.currency_code,
                    amount: entry.amount,
                    compare_at_amount: entry.compare_at_amount,
                })
                .collect();
            prices.sort_by(|a, b| a.currency_code.cmp(&b.currency_code));
            offers
                .entry(VariantOffersOfProduct(row.variant.product_id))
                .or_default()
                .push(VariantOffer {
                    prices,
                    available: row.available.unwrap_or(0),
                    variant: row.variant,
                });
        }
        Ok(offers
            .into_iter()
            .map(|(key, offers)| (key, offers.into()))
            .collect())
    }
}

/// A variant's prices as one JSON array, by a correlated subquery through the
/// `(variant_id, currency_code)` primary key. Joined instead, the prices multiplied the
/// variant's row (and its availability subquery and decoding) by the number of currencies.
/// The aggregate functions differ by database; the text is fixed for each, so prepared
/// statements are reused.
fn prices_as_json(backend: DbBackend) -> Expr {
    let sql = match backend {
        DbBackend::Postgres => {
            r#"(SELECT COALESCE(json_agg(json_build_object('currency_code', "variant_prices"."currency_code", 'amount', "variant_prices"."amount", 'compare_at_amount', "variant_prices"."compare_at_amount")), '[]')::text FROM "variant_prices" WHERE "variant_prices"."variant_id" = "product_variants"."id")"#
        }
        _ => {
            r#"(SELECT json_group_array(json_object('currency_code', "variant_prices"."currency_code", 'amount', "variant_prices"."amount", 'compare_at_amount', "variant_prices"."compare_at_amount")) FROM "variant_prices" WHERE "variant_prices"."variant_id" = "product_variants"."id")"#
        }
    };
    Expr::cust(sql)
}

/// `(SELECT CAST(SUM(MAX(on_hand - allocated, 0)) AS BIGINT) FROM stock_levels WHERE
/// variant_id = product_variants.id)`: a correlated subquery rather than a join, so the
/// stock rows (one per warehouse) do not multiply the variant's row. It reads
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
