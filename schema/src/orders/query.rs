//! `order(id)`, `orderByAccessKey(key)` for guests, staff `orders(...)`, and the connection
//! type `me { orders }` shares.

use super::service::access_keys;
use super::service::listing::{self, OrderScope};
use super::types::{Order, OrderFilter};
use crate::common::ids::parse_id;
use crate::common::pagination::PageInfo;
use crate::context::{ContextExt, Viewer};
use crate::customers::auth::Permission;
use crate::error::ApiResult;
use crate::federation::entity_id;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entities::order;
use sea_orm::EntityTrait;
use uuid::Uuid;

/// Who may read orders besides their owner.
pub const ORDER_READERS: &[Permission] = &[Permission::ManageOrders];

/// Whether `viewer` may see `order`: its customer, or staff who manage orders. Guest orders
/// (no customer) are for staff only.
pub fn may_read(viewer: &Viewer, order: &order::Model) -> bool {
    let owner = order.customer_id.is_some() && order.customer_id == viewer.account_id();
    owner || ORDER_READERS.iter().any(|p| viewer.has(*p))
}

pub struct OrderConnection {
    pub orders: Vec<order::Model>,
    pub has_next_page: bool,
    pub scope: OrderScope,
}

#[derive(SimpleObject)]
pub struct OrderEdge {
    pub cursor: String,
    pub node: Order,
}

#[Object]
impl OrderConnection {
    async fn edges(&self) -> Vec<OrderEdge> {
        self.orders
            .iter()
            .map(|o| OrderEdge {
                cursor: o.number.to_string(),
                node: Order(o.clone()),
            })
            .collect()
    }

    async fn nodes(&self) -> Vec<Order> {
        self.orders.iter().cloned().map(Order).collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.has_next_page,
            has_previous_page: false,
            start_cursor: self.orders.first().map(|o| o.number.to_string()),
            end_cursor: self.orders.last().map(|o| o.number.to_string()),
        }
    }

    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(listing::count(&ctx.state()?.db, &self.scope).await?)
    }
}

/// A page of `scope`, newest first (`first` at most the server's page size).
pub async fn order_page(
    ctx: &Context<'_>,
    scope: OrderScope,
    first: i32,
    after: Option<String>,
) -> ApiResult<OrderConnection> {
    let state = ctx.state()?;
    let first = u64::try_from(first.max(0))
        .unwrap_or_default()
        .min(state.settings.max_page_size);
    let (orders, has_next_page) = listing::page(&state.db, &scope, first, after.as_deref()).await?;
    Ok(OrderConnection {
        orders,
        has_next_page,
        scope,
    })
}

#[derive(Default)]
pub struct OrderQuery;

#[Object]
impl OrderQuery {
    /// An order, for its customer or staff with MANAGE_ORDERS; null for anyone else.
    #[graphql(cache_control(no_cache))]
    async fn order(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Order>> {
        let id = parse_id(&id, "id")?;
        order_for_viewer(ctx, id).await
    }

    /// The order `key` opens (`CheckoutCompletePayload.accessKey`), for whoever holds it: a
    /// guest's order-status page needs no sign-in. Null for a key that opens nothing. Never
    /// cached: the answer is as private as the key.
    #[graphql(cache_control(no_cache))]
    async fn order_by_access_key(&self, ctx: &Context<'_>, key: String) -> Result<Option<Order>> {
        let found = access_keys::order_opened_by(&ctx.state()?.db, &key).await?;
        Ok(found.map(Order))
    }

    /// Orders, newest first (staff with MANAGE_ORDERS).
    #[graphql(cache_control(no_cache))]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        filter: Option<OrderFilter>,
    ) -> Result<OrderConnection> {
        ctx.request()?.viewer.require_any(ORDER_READERS)?;
        let filter = filter.unwrap_or_default();
        let scope = OrderScope {
            statuses: filter
                .status
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            payment_statuses: filter
                .payment_status
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            customer: filter
                .customer_id
                .map(|id| parse_id(&id, "filter.customerId"))
                .transpose()?,
            created_after: filter.created_after,
            created_before: filter.created_before,
        };
        Ok(order_page(ctx, scope, first, after).await?)
    }

    /// Federation: resolves `Order` by id for other subgraphs, under the same rules.
    #[graphql(entity)]
    async fn find_order_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Order>> {
        let Some(id) = entity_id(ctx, "Order", &id) else {
            return Ok(None);
        };
        order_for_viewer(ctx, id).await
    }
}

async fn order_for_viewer(ctx: &Context<'_>, id: Uuid) -> Result<Option<Order>> {
    let viewer = &ctx.request()?.viewer;
    let found = order::Entity::find_by_id(id)
        .one(&ctx.state()?.db)
        .await
        .map_err(crate::error::ApiError::from)?;
    Ok(found.filter(|o| may_read(viewer, o)).map(Order))
}
