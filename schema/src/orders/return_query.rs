//! Staff's list of returns (`returns(first, after, status)`); customers see theirs on
//! `Order.returns`.

use super::query::ORDER_READERS;
use super::return_types::{Return, ReturnConnection, ReturnStatus};
use super::service::returns::listing;
use crate::common::pagination::PageInfo;
use crate::context::ContextExt;
use async_graphql::{Context, Object, Result};

#[derive(Default)]
pub struct ReturnQuery;

#[Object]
impl ReturnQuery {
    /// Returns, newest first, optionally of one status (staff with MANAGE_ORDERS): e.g.
    /// `status: REQUESTED` is what waits for a decision.
    #[graphql(cache_control(no_cache))]
    async fn returns(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        status: Option<ReturnStatus>,
    ) -> Result<ReturnConnection> {
        ctx.request()?.viewer.require_any(ORDER_READERS)?;
        let state = ctx.state()?;
        let first = u64::try_from(first.max(0))
            .unwrap_or_default()
            .min(state.settings.max_page_size);
        let (page, has_next_page) =
            listing::page(&state.db, status.map(Into::into), first, after.as_deref()).await?;
        let cursor = |(r, _): &(entities::order_return::Model, _)| r.id.to_string();
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: false,
            start_cursor: page.first().map(cursor),
            end_cursor: page.last().map(cursor),
        };
        Ok(ReturnConnection {
            nodes: page.into_iter().map(Return::from).collect(),
            page_info,
        })
    }
}
