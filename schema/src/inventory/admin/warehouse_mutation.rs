//! `warehouseCreate` (staff with MANAGE_INVENTORY). Business failures are `userErrors`.

use super::warehouses::{self, NewWarehouse};
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use crate::inventory::types::Warehouse;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

/// A new warehouse.
#[derive(InputObject, Clone, Debug)]
pub struct WarehouseCreateInput {
    /// Upper-cased; letters, digits, dashes and underscores, at most 32, starting with a
    /// letter or digit. Unique.
    pub code: String,
    /// 1 to 255 characters (trimmed).
    pub name: String,
    /// Allocation order, lower first; after every existing warehouse when omitted.
    pub priority: Option<i32>,
}

/// The warehouse created, or why not.
#[derive(SimpleObject)]
pub struct WarehousePayload {
    pub warehouse: Option<Warehouse>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct WarehouseMutation;

#[Object]
impl WarehouseMutation {
    /// Creates a warehouse (staff with MANAGE_INVENTORY).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn warehouse_create(
        &self,
        ctx: &Context<'_>,
        input: WarehouseCreateInput,
    ) -> Result<WarehousePayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageInventory])?;
        let new = NewWarehouse {
            code: input.code,
            name: input.name,
            priority: input.priority,
        };
        Ok(
            match warehouses::create_warehouse(&ctx.writer()?, new).await? {
                Ok(model) => WarehousePayload {
                    warehouse: Some(Warehouse { model }),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => WarehousePayload {
                    warehouse: None,
                    user_errors,
                },
            },
        )
    }
}
