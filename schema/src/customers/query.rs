use super::service::accounts::staff_permissions;
use super::types::Customer;
use crate::context::ContextExt;
use async_graphql::{Context, Object, Result};
use entities::customer;
use sea_orm::EntityTrait;

#[derive(Default)]
pub struct CustomerQuery;

#[Object]
impl CustomerQuery {
    /// The signed-in account; null when the request carries no access token.
    #[graphql(cache_control(no_cache))]
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        let Some(id) = ctx.request()?.viewer.account_id() else {
            return Ok(None);
        };
        let db = &ctx.state()?.db;
        let Some(model) = customer::Entity::find_by_id(id).one(db).await? else {
            return Ok(None);
        };
        let permissions = staff_permissions(db, &model)
            .await?
            .unwrap_or_default()
            .into_iter()
            .collect();
        Ok(Some(Customer { model, permissions }))
    }
}
