//! `menu(handle)`, `page(handle)` and `pages`: public and cacheable; staff with
//! MANAGE_SETTINGS also see unpublished pages (their answers are never cached: only
//! anonymous ones are).

use super::service::{links, menus, pages};
use super::types::{Menu, Page, PageConnection, PageEdge};
use crate::common::pagination::{DEFAULT_PAGE_SIZE, PageInfo};
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, Object, Result};

#[derive(Default)]
pub struct ContentQuery;

fn sees_unpublished(ctx: &Context<'_>) -> Result<bool> {
    Ok(ctx.request()?.viewer.has(Permission::ManageSettings))
}

#[Object]
impl ContentQuery {
    /// A navigation menu by handle, with its item tree and links; null when there is none.
    #[graphql(cache_control(max_age = 30))]
    async fn menu(&self, ctx: &Context<'_>, handle: String) -> Result<Option<Menu>> {
        let db = &ctx.state()?.db;
        let Some(stored) = menus::by_handle(db, &handle).await? else {
            return Ok(None);
        };
        let links = links::resolve(db, stored.items.clone()).await?;
        Ok(Some(Menu { stored, links }))
    }

    /// A page by handle; null when there is none (or it is unpublished and the viewer is not
    /// staff with MANAGE_SETTINGS).
    #[graphql(cache_control(max_age = 30))]
    async fn page(&self, ctx: &Context<'_>, handle: String) -> Result<Option<Page>> {
        let db = &ctx.state()?.db;
        let page = pages::by_handle(db, &handle, sees_unpublished(ctx)?).await?;
        Ok(page.map(Page))
    }

    /// Pages by handle, `first` at a time (at most the server's page size) after the cursor
    /// `after`.
    #[graphql(
        complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1",
        cache_control(max_age = 30)
    )]
    async fn pages(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<PageConnection> {
        let state = ctx.state()?;
        let first = first
            .map(|f| u64::try_from(f.max(0)).unwrap_or_default())
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .min(state.settings.max_page_size);
        let (rows, has_next_page) =
            pages::list(&state.db, first, after.as_deref(), sees_unpublished(ctx)?).await?;
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: after.is_some(),
            start_cursor: rows.first().map(|p| p.handle.clone()),
            end_cursor: rows.last().map(|p| p.handle.clone()),
        };
        Ok(PageConnection {
            edges: rows
                .into_iter()
                .map(|page| PageEdge {
                    cursor: page.handle.clone(),
                    node: Page(page),
                })
                .collect(),
            page_info,
        })
    }
}
