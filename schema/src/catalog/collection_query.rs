//! Collection queries: one collection by id or handle, and the list of collections. Every
//! collection is public; what a shopper cannot see are its unpublished products.

use super::lookup::{self, By};
use super::service::collections::{COLLECTION_CURSOR_KEY, count_collections, list_collections};
use super::types::Collection;
use crate::common::ids::parse_id;
use crate::common::money::CurrencyCode;
use crate::common::pagination::{Page, PageArgs, PageInfo};
use crate::context::ContextExt;
use crate::error::ApiError;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entities::collection;

#[derive(Default)]
pub struct CollectionQuery;

/// Collections by title.
pub struct CollectionConnection {
    page: Page<collection::Model>,
    currency: CurrencyCode,
}

#[derive(SimpleObject)]
pub struct CollectionEdge {
    pub cursor: String,
    pub node: Collection,
}

#[Object]
impl CollectionConnection {
    async fn edges(&self) -> Vec<CollectionEdge> {
        self.page
            .items
            .iter()
            .map(|(cursor, c)| CollectionEdge {
                cursor: cursor.clone(),
                node: Collection::new(c.clone(), self.currency),
            })
            .collect()
    }

    async fn nodes(&self) -> Vec<Collection> {
        self.page
            .items
            .iter()
            .map(|(_, c)| Collection::new(c.clone(), self.currency))
            .collect()
    }

    async fn page_info(&self) -> &PageInfo {
        &self.page.page_info
    }

    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(count_collections(&ctx.request()?.catalog_db).await?)
    }
}

#[Object]
impl CollectionQuery {
    /// A collection by id or handle (pass exactly one).
    #[graphql(cache_control(max_age = 30))]
    async fn collection(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        handle: Option<String>,
    ) -> Result<Option<Collection>> {
        let currency = ctx.state()?.settings.default_currency;
        let by = match (id, handle) {
            (Some(id), None) => By::Id(parse_id(&id, "id")?),
            (None, Some(handle)) => By::Handle(handle),
            _ => {
                return Err(ApiError::bad_input("pass exactly one of `id` or `handle`").into());
            }
        };
        let found = lookup::collection(ctx, by).await?;
        Ok(found.map(|c| Collection::new(c, currency)))
    }

    /// Collections ordered by title (then id), as a Relay connection (at most 100 per page).
    #[graphql(
        complexity = "first.or(last).unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1",
        cache_control(max_age = 30)
    )]
    async fn collections(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<CollectionConnection> {
        let state = ctx.state()?;
        let page = PageArgs {
            first,
            after,
            last,
            before,
        }
        .validate(state.settings.max_page_size, COLLECTION_CURSOR_KEY)?;
        let page = list_collections(&ctx.request()?.catalog_db, &page).await?;
        Ok(CollectionConnection {
            page,
            currency: state.settings.default_currency,
        })
    }
}
