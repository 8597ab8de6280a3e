//! `auditEvents` (staff with MANAGE_STAFF).

use super::service::listing::{self, AuditFilter};
use super::types::{AuditEvent, AuditEventConnection, AuditEventFilter};
use crate::common::ids::parse_id;
use crate::common::pagination::PageInfo;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, Object, Result};

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// What staff changed, newest first: every staff mutation leaves one event.
    #[graphql(cache_control(no_cache))]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        filter: Option<AuditEventFilter>,
    ) -> Result<AuditEventConnection> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageStaff])?;
        let state = ctx.state()?;
        let filter = filter.unwrap_or_default();
        let filter = AuditFilter {
            actor_id: filter
                .actor_id
                .map(|id| parse_id(&id, "filter.actorId"))
                .transpose()?,
            target_id: filter.target_id.map(|id| id.0),
            action: filter.action,
            from: filter.from,
            to: filter.to,
        };
        let first = u64::try_from(first.max(0))
            .unwrap_or_default()
            .min(state.settings.max_page_size);
        let (page, has_next_page) =
            listing::page(&state.db, &filter, first, after.as_deref()).await?;
        let emails = listing::actor_emails(&state.db, &page).await?;
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: false,
            start_cursor: page.first().map(|e| e.id.to_string()),
            end_cursor: page.last().map(|e| e.id.to_string()),
        };
        Ok(AuditEventConnection {
            nodes: page
                .into_iter()
                .map(|e| {
                    let email = emails.get(&e.actor_id).cloned();
                    AuditEvent::from_model(e, email)
                })
                .collect(),
            page_info,
        })
    }
}
