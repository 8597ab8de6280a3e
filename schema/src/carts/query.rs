//! `cart(id)`.

use super::service::{access, view};
use super::types::Cart;
use crate::common::ids::parse_id;
use crate::context::ContextExt;
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct CartQuery;

#[Object]
impl CartQuery {
    /// A cart by id: a guest cart for anyone holding the id, a customer's cart for that
    /// customer only (null for anyone else, as for an unknown id).
    #[graphql(cache_control(no_cache))]
    async fn cart(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Cart>> {
        let state = ctx.state()?;
        let id = parse_id(&id, "id")?;
        let account = ctx.request()?.viewer.account_id();
        let Some(cart) = access::readable(&state.db, id, account).await? else {
            return Ok(None);
        };
        let view = view::view(&state.db, cart, &state.settings.cart_rules).await?;
        Ok(Some(Cart(view)))
    }
}
