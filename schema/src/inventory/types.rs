//! Staff-facing inventory types.

use super::loaders::WarehouseById;
use crate::context::ContextExt;
use async_graphql::{Context, ID, Object, Result};
use entities::{stock_level, warehouse};

/// A place stock is kept. Lower `priority` is allocated from first.
#[derive(Clone, Debug)]
pub struct Warehouse {
    pub model: warehouse::Model,
}

#[Object]
impl Warehouse {
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }

    async fn code(&self) -> &str {
        &self.model.code
    }

    async fn name(&self) -> &str {
        &self.model.name
    }

    async fn priority(&self) -> i32 {
        self.model.priority
    }
}

/// Stock of one variant in one warehouse.
pub struct StockLevel {
    pub model: stock_level::Model,
}

#[Object]
impl StockLevel {
    async fn warehouse(&self, ctx: &Context<'_>) -> Result<Option<Warehouse>> {
        let loaded = ctx
            .request()?
            .inventory
            .load_one(WarehouseById(self.model.warehouse_id))
            .await?;
        Ok(loaded.map(|model| Warehouse { model }))
    }

    /// Units physically in the warehouse.
    async fn on_hand(&self) -> i32 {
        self.model.on_hand
    }

    /// Units promised to placed orders and not yet shipped.
    async fn allocated(&self) -> i32 {
        self.model.allocated
    }

    /// Units that can still be sold: on hand minus allocated.
    async fn available(&self) -> i32 {
        self.model.on_hand - self.model.allocated
    }
}
