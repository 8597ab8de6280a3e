//! The viewer: who an access token (`auth`, `sessions`) says is asking. Defined here rather
//! than in `crate::context` (which re-exports it) so that the account rules do not depend on
//! the context that holds their token issuer and session registry: only the resolvers
//! (`mutation`, `query`) reach into the context, as every context's resolvers do.

use super::permissions::Permission;
use crate::error::{ApiError, ApiResult};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Who is making the request, resolved once per request (HTTP `Authorization: Bearer`, or the
/// websocket `connection_init` payload). Resolvers pass it to services explicitly so that every
/// permission decision is visible at the call site.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Viewer {
    #[default]
    Anonymous,
    Customer {
        id: Uuid,
    },
    Staff {
        id: Uuid,
        permissions: BTreeSet<Permission>,
    },
}

impl Viewer {
    /// The signed-in account (customer or staff), if any.
    pub fn account_id(&self) -> Option<Uuid> {
        match self {
            Viewer::Anonymous => None,
            Viewer::Customer { id } | Viewer::Staff { id, .. } => Some(*id),
        }
    }

    pub fn has(&self, permission: Permission) -> bool {
        matches!(self, Viewer::Staff { permissions, .. } if permissions.contains(&permission))
    }

    /// Succeeds when the viewer holds one of `permissions`: anonymous viewers get
    /// UNAUTHENTICATED, others FORBIDDEN.
    pub fn require_any(&self, permissions: &[Permission]) -> ApiResult<()> {
        match self {
            Viewer::Anonymous => Err(ApiError::Unauthenticated),
            _ if permissions.iter().any(|p| self.has(*p)) => Ok(()),
            _ => {
                let names: Vec<&str> = permissions.iter().map(|p| p.as_str()).collect();
                Err(ApiError::Forbidden(format!(
                    "this needs the {} permission",
                    names.join(" or ")
                )))
            }
        }
    }

    /// Whether unpublished (DRAFT / ARCHIVED) catalog entries are visible.
    pub fn sees_unpublished_catalog(&self) -> bool {
        self.has(Permission::ManageProducts)
    }
}
