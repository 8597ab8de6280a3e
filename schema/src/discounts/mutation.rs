//! `discountCreate`, `discountUpdate`, `discountDelete` and `discounts` (staff with
//! MANAGE_DISCOUNTS).

use super::service::{self, DiscountChanges, DiscountSpec};
use super::types::{
    Discount, DiscountCreateInput, DiscountDeletePayload, DiscountPayload, DiscountUpdateInput,
};
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, ID, Object, Result};
use entities::discount;

#[derive(Default)]
pub struct DiscountMutation;

fn payload(outcome: Result<discount::Model, Vec<UserError>>) -> DiscountPayload {
    match outcome {
        Ok(model) => DiscountPayload {
            discount: Some(Discount(model)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => DiscountPayload {
            discount: None,
            user_errors,
        },
    }
}

#[Object]
impl DiscountMutation {
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn discount_create(
        &self,
        ctx: &Context<'_>,
        input: DiscountCreateInput,
    ) -> Result<DiscountPayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageDiscounts])?;
        let spec = DiscountSpec {
            code: input.code,
            kind: input.kind.into(),
            value: input.value,
            currency: input.currency_code,
            minimum_subtotal: input.minimum_subtotal,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            usage_limit: input.usage_limit,
            active: input.active.unwrap_or(true),
        };
        Ok(payload(service::create(&ctx.writer()?, spec).await?))
    }

    /// Changes a discount's terms (its code, kind and currency are fixed once created).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn discount_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: DiscountUpdateInput,
    ) -> Result<DiscountPayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageDiscounts])?;
        let id = parse_id(&id, "id")?;
        let changes = DiscountChanges {
            value: input.value,
            minimum_subtotal: input.minimum_subtotal.into(),
            starts_at: input.starts_at.into(),
            ends_at: input.ends_at.into(),
            usage_limit: input.usage_limit.into(),
            active: input.active,
        };
        Ok(payload(service::update(&ctx.writer()?, id, changes).await?))
    }

    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn discount_delete(&self, ctx: &Context<'_>, id: ID) -> Result<DiscountDeletePayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageDiscounts])?;
        let id = parse_id(&id, "id")?;
        Ok(match service::delete(&ctx.writer()?, id).await? {
            Ok(id) => DiscountDeletePayload {
                deleted_discount_id: Some(ID(id.to_string())),
                user_errors: Vec::new(),
            },
            Err(user_errors) => DiscountDeletePayload {
                deleted_discount_id: None,
                user_errors,
            },
        })
    }
}

#[derive(Default)]
pub struct DiscountQuery;

#[Object]
impl DiscountQuery {
    /// Discounts by code (staff with MANAGE_DISCOUNTS), at most `first` (≤ 250).
    #[graphql(cache_control(no_cache))]
    async fn discounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] first: u64,
    ) -> Result<Vec<Discount>> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageDiscounts])?;
        let models = service::list(&ctx.state()?.db, first.min(250)).await?;
        Ok(models.into_iter().map(Discount).collect())
    }
}
