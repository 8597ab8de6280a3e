//! `warehouseCreate`, `warehouseUpdate`, `warehouseDelete` (staff with MANAGE_INVENTORY). Business failures are `userErrors`.

use super::warehouse_changes::{self, WarehouseChanges};
use super::warehouses::{self, NewWarehouse};
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use crate::inventory::types::Warehouse;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

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

/// Changes to a warehouse; omitted fields stay as they are.
#[derive(InputObject, Clone, Debug)]
pub struct WarehouseUpdateInput {
    /// Same rules as on create; unique.
    pub code: Option<String>,
    /// 1 to 255 characters (trimmed).
    pub name: Option<String>,
    /// Allocation order, lower first.
    pub priority: Option<i32>,
}

/// The id of the deleted warehouse, or why it was not deleted.
#[derive(SimpleObject)]
pub struct WarehouseDeletePayload {
    pub deleted_warehouse_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

fn payload(
    outcome: std::result::Result<entities::warehouse::Model, Vec<UserError>>,
) -> WarehousePayload {
    match outcome {
        Ok(model) => WarehousePayload {
            warehouse: Some(Warehouse { model }),
            user_errors: Vec::new(),
        },
        Err(user_errors) => WarehousePayload {
            warehouse: None,
            user_errors,
        },
    }
}

/// The warehouse created or updated, or why not.
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

    /// Changes a warehouse's code, name or allocation priority (staff with MANAGE_INVENTORY).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn warehouse_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: WarehouseUpdateInput,
    ) -> Result<WarehousePayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageInventory])?;
        let id = parse_id(&id, "id")?;
        let changes = WarehouseChanges {
            code: input.code,
            name: input.name,
            priority: input.priority,
        };
        let outcome = warehouse_changes::update_warehouse(&ctx.writer()?, id, changes).await?;
        Ok(payload(outcome))
    }

    /// Deletes a warehouse and its empty stock levels; refused while it holds stock or an
    /// order's allocation or shipment names it (staff with MANAGE_INVENTORY).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn warehouse_delete(&self, ctx: &Context<'_>, id: ID) -> Result<WarehouseDeletePayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageInventory])?;
        let id = parse_id(&id, "id")?;
        Ok(
            match warehouse_changes::delete_warehouse(&ctx.writer()?, id).await? {
                Ok(id) => WarehouseDeletePayload {
                    deleted_warehouse_id: Some(ID(id.to_string())),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => WarehouseDeletePayload {
                    deleted_warehouse_id: None,
                    user_errors,
                },
            },
        )
    }
}
