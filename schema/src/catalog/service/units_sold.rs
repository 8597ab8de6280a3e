//! `products.units_sold`, the best-selling rank. Only the orders context's consumer changes
//! it (see `orders::service::units_sold`), through this function.

use entities::product;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Products per statement: two parameters each in the CASE and one in the key list.
const PER_STATEMENT: usize = 500;

/// Adds `delta` units (negative to take back) to each product. One statement per
/// [`PER_STATEMENT`] products — the relay counts a whole batch of orders at once — whose
/// text varies with the number of products: it runs in the relay, never on a request. The
/// count never goes below 0, in case history is odder than the rules (an order from before
/// the count was cancelled).
pub async fn add_units_sold(
    db: &impl ConnectionTrait,
    deltas: &[(Uuid, i64)],
) -> Result<(), DbErr> {
    let deltas: Vec<&(Uuid, i64)> = deltas.iter().filter(|(_, delta)| *delta != 0).collect();
    for chunk in deltas.chunks(PER_STATEMENT) {
        // units_sold + (CASE id WHEN … THEN delta … END), clamped at 0.
        let mut delta = Expr::case(product::Column::Id.eq(chunk[0].0), chunk[0].1);
        for (product_id, units) in &chunk[1..] {
            delta = delta.case(product::Column::Id.eq(*product_id), *units);
        }
        let sum = Expr::col(product::Column::UnitsSold).add(delta.finally(0));
        let clamped = Expr::case(sum.clone().lt(0), 0).finally(sum);
        product::Entity::update_many()
            .col_expr(product::Column::UnitsSold, clamped.into())
            .filter(product::Column::Id.is_in(chunk.iter().map(|(id, _)| *id)))
            .exec(db)
            .await?;
    }
    Ok(())
}
