//! `stockSet` / `stockAdjust` (staff with MANAGE_INVENTORY).

use super::stock::{Changed, StockChange, adjustment_problem, apply_change};
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use crate::inventory::types::StockLevel;
use async_graphql::{Context, ID, Object, Result, SimpleObject};

#[derive(SimpleObject)]
pub struct StockPayload {
    pub stock_level: Option<StockLevel>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct StockMutation;

/// Runs an authorised stock change; its event is published after the commit.
async fn apply(
    ctx: &Context<'_>,
    variant_id: &ID,
    warehouse_id: &ID,
    change: StockChange,
    reason: Option<&str>,
) -> Result<StockPayload> {
    let variant_id = parse_id(variant_id, "variantId")?;
    let warehouse_id = parse_id(warehouse_id, "warehouseId")?;
    let outcome = apply_change(&ctx.writer()?, variant_id, warehouse_id, change).await?;
    let Changed { level, .. } = match outcome {
        Ok(changed) => changed,
        Err(user_errors) => {
            return Ok(StockPayload {
                stock_level: None,
                user_errors,
            });
        }
    };
    tracing::info!(%variant_id, %warehouse_id, ?change, reason = reason.unwrap_or(""), on_hand = level.on_hand, "stock changed");
    Ok(StockPayload {
        stock_level: Some(StockLevel { model: level }),
        user_errors: Vec::new(),
    })
}

#[Object]
impl StockMutation {
    /// Sets the counted stock of a variant in a warehouse. Refused when it would fall below
    /// the units already allocated to orders.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn stock_set(
        &self,
        ctx: &Context<'_>,
        variant_id: ID,
        warehouse_id: ID,
        on_hand: i32,
    ) -> Result<StockPayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageInventory])?;
        apply(
            ctx,
            &variant_id,
            &warehouse_id,
            StockChange::Set(on_hand),
            None,
        )
        .await
    }

    /// Adds (received) or removes (lost, damaged) units. Refused when on hand would fall below
    /// what is allocated.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn stock_adjust(
        &self,
        ctx: &Context<'_>,
        variant_id: ID,
        warehouse_id: ID,
        delta: i32,
        reason: String,
    ) -> Result<StockPayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageInventory])?;
        if let Some(error) = adjustment_problem(delta, &reason) {
            return Ok(StockPayload {
                stock_level: None,
                user_errors: vec![error],
            });
        }
        let reason = reason.trim();
        apply(
            ctx,
            &variant_id,
            &warehouse_id,
            StockChange::Adjust(delta),
            Some(reason),
        )
        .await
    }
}
