//! Staff reads: roles and members (MANAGE_STAFF), customer accounts (MANAGE_CUSTOMERS).

use super::customer_views;
use super::types::{
    CustomerConnection, Role, StaffMember, StaffMemberConnection, StaffMemberStatus,
};
use super::views;
use crate::common::ids::parse_id;
use crate::common::pagination::PageInfo;
use crate::context::ContextExt;
use crate::customers::permissions::Permission;
use crate::customers::types::Customer;
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct StaffQuery;

/// `first` as a row count within the server's page-size cap.
fn page_size(first: i32, max: u64) -> u64 {
    u64::try_from(first.max(0)).unwrap_or_default().min(max)
}

fn page_info(cursors: Vec<String>, has_next_page: bool) -> PageInfo {
    PageInfo {
        has_next_page,
        has_previous_page: false,
        start_cursor: cursors.first().cloned(),
        end_cursor: cursors.last().cloned(),
    }
}

#[Object]
impl StaffQuery {
    /// Every staff role, by name (MANAGE_STAFF).
    #[graphql(cache_control(no_cache))]
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Role>> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageStaff])?;
        let roles = views::all_roles(&ctx.state()?.db).await?;
        Ok(roles.iter().map(|(role, n)| Role::new(role, *n)).collect())
    }

    /// Staff members, oldest account first, optionally of one status (MANAGE_STAFF).
    #[graphql(cache_control(no_cache))]
    async fn staff_members(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        status: Option<StaffMemberStatus>,
    ) -> Result<StaffMemberConnection> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageStaff])?;
        let state = ctx.state()?;
        let first = page_size(first, state.settings.max_page_size);
        let (page, more) =
            views::member_page(&state.db, status.map(Into::into), first, after.as_deref()).await?;
        let cursors = page.iter().map(|m| m.account.id.to_string()).collect();
        Ok(StaffMemberConnection {
            nodes: page.into_iter().map(StaffMember::from).collect(),
            page_info: page_info(cursors, more),
        })
    }

    /// Customer accounts, newest first (MANAGE_CUSTOMERS). `query` matches part of the email
    /// or of the first or last name, whatever the case.
    #[graphql(cache_control(no_cache))]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        query: Option<String>,
    ) -> Result<CustomerConnection> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageCustomers])?;
        let state = ctx.state()?;
        let first = page_size(first, state.settings.max_page_size);
        let (page, more) =
            customer_views::page(&state.db, query.as_deref(), first, after.as_deref()).await?;
        let cursors = page.iter().map(|c| c.model.id.to_string()).collect();
        Ok(CustomerConnection {
            nodes: page,
            page_info: page_info(cursors, more),
        })
    }

    /// One customer account, with its orders (MANAGE_CUSTOMERS); null when there is none.
    #[graphql(cache_control(no_cache))]
    async fn customer(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Customer>> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageCustomers])?;
        let id = parse_id(&id, "id")?;
        Ok(customer_views::one(&ctx.state()?.db, id).await?)
    }
}
