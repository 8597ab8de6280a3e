//! Variant price rows, and `product_price_ranges`: each product's min/max variant price per
//! currency, recomputed whenever a price of the product changes (price sort joins it).

use crate::catalog::admin::variants::CleanPrice;
use entities::{product_price_range, product_variant, variant_price};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

/// Recomputes the product's rows of `product_price_ranges` from its variants' prices.
pub async fn refresh_price_ranges(
    db: &impl ConnectionTrait,
    product_id: Uuid,
) -> Result<(), sea_orm::DbErr> {
    product_price_range::Entity::delete_many()
        .filter(product_price_range::Column::ProductId.eq(product_id))
        .exec(db)
        .await?;
    let ranges: Vec<(String, i64, i64)> = variant_price::Entity::find()
        .select_only()
        .column(variant_price::Column::CurrencyCode)
        .expr(Func::min(Expr::col(variant_price::Column::Amount)))
        .expr(Func::max(Expr::col(variant_price::Column::Amount)))
        .inner_join(product_variant::Entity)
        .filter(product_variant::Column::ProductId.eq(product_id))
        .group_by(variant_price::Column::CurrencyCode)
        .into_tuple()
        .all(db)
        .await?;
    if !ranges.is_empty() {
        product_price_range::Entity::insert_many(ranges.into_iter().map(|(currency, min, max)| {
            product_price_range::ActiveModel {
                product_id: Set(product_id),
                currency_code: Set(currency),
                min_amount: Set(min),
                max_amount: Set(max),
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Inserts a variant's checked prices; a compare-at amount left unsaid (`None`) is none, so
/// an update resolves "keep" before calling this. The caller refreshes the product's price
/// ranges.
pub(crate) async fn insert_prices(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    prices: &[CleanPrice],
) -> Result<(), sea_orm::DbErr> {
    if !prices.is_empty() {
        variant_price::Entity::insert_many(prices.iter().map(|price| variant_price::ActiveModel {
            variant_id: Set(variant_id),
            currency_code: Set(price.currency.clone()),
            amount: Set(price.amount),
            compare_at_amount: Set(price.compare_at.flatten()),
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}
