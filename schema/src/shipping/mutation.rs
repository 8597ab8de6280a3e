//! Staff changes to shipping (MANAGE_SETTINGS): `shippingZoneCreate/Update/Delete` and
//! `shippingMethodCreate/Update/Delete`.

use super::service::cache::ShippingRatesCache;
use super::service::methods::{self, MethodSpec, PriceSpec};
use super::service::rates::MethodInfo;
use super::service::zones::{self, ZoneSpec};
use super::types::{
    ShippingMethod, ShippingMethodCreateInput, ShippingMethodDeletePayload, ShippingMethodPayload,
    ShippingMethodPriceInput, ShippingMethodUpdateInput, ShippingZone, ShippingZoneCreateInput,
    ShippingZoneDeletePayload, ShippingZonePayload, ShippingZoneUpdateInput,
};
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, ID, Object, Result};
use entities::{shipping_method, shipping_zone};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Default)]
pub struct ShippingMutation;

fn require_settings(ctx: &Context<'_>) -> Result<()> {
    ctx.request()?
        .viewer
        .require_any(&[Permission::ManageSettings])?;
    Ok(())
}

/// The shipping configuration this process holds, which a change drops.
fn held(ctx: &Context<'_>) -> Result<Arc<ShippingRatesCache>> {
    Ok(ctx.state()?.settings.cart_rules.shipping_rates.clone())
}

fn prices(input: &[ShippingMethodPriceInput]) -> Vec<PriceSpec> {
    input
        .iter()
        .map(|p| PriceSpec {
            currency: p.currency_code,
            price: p.price,
            free_above: p.free_above,
        })
        .collect()
}

fn method_payload(
    outcome: Result<shipping_method::Model, Vec<UserError>>,
) -> ShippingMethodPayload {
    match outcome {
        Ok(method) => ShippingMethodPayload {
            shipping_method: Some(ShippingMethod::listed(MethodInfo::configured(&method))),
            user_errors: Vec::new(),
        },
        Err(user_errors) => ShippingMethodPayload {
            shipping_method: None,
            user_errors,
        },
    }
}

fn deleted(outcome: Result<Uuid, Vec<UserError>>) -> (Option<ID>, Vec<UserError>) {
    match outcome {
        Ok(id) => (Some(ID(id.to_string())), Vec::new()),
        Err(errors) => (None, errors),
    }
}

#[Object]
impl ShippingMutation {
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn shipping_zone_create(
        &self,
        ctx: &Context<'_>,
        input: ShippingZoneCreateInput,
    ) -> Result<ShippingZonePayload> {
        require_settings(ctx)?;
        let outcome =
            zones::create(&ctx.writer()?, &*held(ctx)?, input.name, input.countries).await?;
        Ok(zone_payload(outcome.map(|zone| (zone, Vec::new()))))
    }

    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn shipping_zone_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ShippingZoneUpdateInput,
    ) -> Result<ShippingZonePayload> {
        require_settings(ctx)?;
        let state = ctx.state()?;
        let spec = ZoneSpec {
            name: input.name,
            countries: input.countries,
        };
        let outcome =
            zones::update(&ctx.writer()?, &*held(ctx)?, parse_id(&id, "id")?, spec).await?;
        Ok(zone_payload(match outcome {
            Ok(zone) => Ok((zone.clone(), zones::methods_of(&state.db, zone.id).await?)),
            Err(errors) => Err(errors),
        }))
    }

    /// Deletes the zone and its methods. Carts that had chosen one of them are asked to
    /// choose again at checkout; orders keep the method's name.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn shipping_zone_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<ShippingZoneDeletePayload> {
        require_settings(ctx)?;
        let id = parse_id(&id, "id")?;
        let (deleted_shipping_zone_id, user_errors) =
            deleted(zones::delete(&ctx.writer()?, &*held(ctx)?, id).await?);
        Ok(ShippingZoneDeletePayload {
            deleted_shipping_zone_id,
            user_errors,
        })
    }

    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn shipping_method_create(
        &self,
        ctx: &Context<'_>,
        input: ShippingMethodCreateInput,
    ) -> Result<ShippingMethodPayload> {
        require_settings(ctx)?;
        let zone_id = parse_id(&input.zone_id, "input.zoneId")?;
        let spec = MethodSpec {
            name: None,
            description: Some(input.description),
            prices: Some(prices(&input.prices)),
            min_delivery_days: Some(input.min_delivery_days),
            max_delivery_days: Some(input.max_delivery_days),
            active: input.active,
        };
        let outcome =
            methods::create(&ctx.writer()?, &*held(ctx)?, zone_id, &input.name, spec).await?;
        Ok(method_payload(outcome))
    }

    /// Changes a method; carts see the change at once, orders keep what they were charged.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn shipping_method_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ShippingMethodUpdateInput,
    ) -> Result<ShippingMethodPayload> {
        require_settings(ctx)?;
        let spec = MethodSpec {
            name: input.name,
            description: input.description.into(),
            prices: input.prices.as_deref().map(prices),
            min_delivery_days: input.min_delivery_days.into(),
            max_delivery_days: input.max_delivery_days.into(),
            active: input.active,
        };
        let outcome =
            methods::update(&ctx.writer()?, &*held(ctx)?, parse_id(&id, "id")?, spec).await?;
        Ok(method_payload(outcome))
    }

    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn shipping_method_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<ShippingMethodDeletePayload> {
        require_settings(ctx)?;
        let id = parse_id(&id, "id")?;
        let (deleted_shipping_method_id, user_errors) =
            deleted(methods::delete(&ctx.writer()?, &*held(ctx)?, id).await?);
        Ok(ShippingMethodDeletePayload {
            deleted_shipping_method_id,
            user_errors,
        })
    }
}

fn zone_payload(
    outcome: Result<(shipping_zone::Model, Vec<shipping_method::Model>), Vec<UserError>>,
) -> ShippingZonePayload {
    match outcome {
        Ok((zone, methods)) => ShippingZonePayload {
            shipping_zone: Some(ShippingZone { zone, methods }),
            user_errors: Vec::new(),
        },
        Err(user_errors) => ShippingZonePayload {
            shipping_zone: None,
            user_errors,
        },
    }
}
