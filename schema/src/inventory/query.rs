use super::types::Warehouse;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, Object, Result};
use entities::warehouse;
use sea_orm::{EntityTrait, QueryOrder};

/// Who may see stock figures and warehouses.
pub const STOCK_READERS: &[Permission] = &[
    Permission::ManageInventory,
    Permission::ManageProducts,
    Permission::ManageOrders,
];

#[derive(Default)]
pub struct InventoryQuery;

#[Object]
impl InventoryQuery {
    /// Warehouses in allocation order (staff).
    #[graphql(cache_control(no_cache))]
    async fn warehouses(&self, ctx: &Context<'_>) -> Result<Vec<Warehouse>> {
        ctx.request()?.viewer.require_any(STOCK_READERS)?;
        let rows = warehouse::Entity::find()
            .order_by_asc(warehouse::Column::Priority)
            .order_by_asc(warehouse::Column::Code)
            .all(&ctx.state()?.db)
            .await?;
        Ok(rows.into_iter().map(|model| Warehouse { model }).collect())
    }
}
