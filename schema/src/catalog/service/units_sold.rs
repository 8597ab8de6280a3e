//! `products.units_sold`, the best-selling rank. Only the orders context's consumer changes
//! it (see `orders::service::units_sold`), through this function.

use entities::product;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Adds `delta` units (negative to take back) to each product. One statement per product:
/// this runs in the relay, never on a request, and an order names few products. The count
/// never goes below 0, in case history is odder than the rules (an order from before the
/// count was cancelled).
pub async fn add_units_sold(
    db: &impl ConnectionTrait,
    deltas: &[(Uuid, i64)],
) -> Result<(), DbErr> {
    for (product_id, delta) in deltas {
        if *delta == 0 {
            continue;
        }
        let sum = Expr::col(product::Column::UnitsSold).add(*delta);
        let clamped = Expr::case(sum.clone().lt(0), 0).finally(sum);
        product::Entity::update_many()
            .col_expr(product::Column::UnitsSold, clamped.into())
            .filter(product::Column::Id.eq(*product_id))
            .exec(db)
            .await?;
    }
    Ok(())
}
