//! `shippingZones` (staff with MANAGE_SETTINGS). Shoppers see methods through their cart
//! (`Cart.availableShippingMethods`).

use super::service::rates;
use super::types::ShippingZone;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, Object, Result};

#[derive(Default)]
pub struct ShippingQuery;

#[Object]
impl ShippingQuery {
    /// Every shipping zone with its methods, by name.
    #[graphql(cache_control(no_cache))]
    async fn shipping_zones(&self, ctx: &Context<'_>) -> Result<Vec<ShippingZone>> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageSettings])?;
        let rates = rates::load(&ctx.state()?.db).await?;
        Ok(rates
            .zones()
            .iter()
            .map(|(zone, methods)| ShippingZone {
                zone: zone.clone(),
                methods: methods.clone(),
            })
            .collect())
    }
}
