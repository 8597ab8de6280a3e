//! GraphQL types of staff roles and members.

use crate::common::pagination::PageInfo;
use crate::common::user_error::UserError;
use crate::customers::access;
use crate::customers::permissions::Permission;
use crate::customers::types::Customer;
use async_graphql::{Enum, ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use entities::enums::StaffStatus;
use entities::{customer, staff_member, staff_role};

/// A named set of permissions given to staff members.
#[derive(SimpleObject, Clone, Debug)]
pub struct Role {
    pub id: ID,
    pub name: String,
    pub permissions: Vec<Permission>,
    /// Staff members holding it, whatever their status.
    pub member_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Role {
    pub fn new(model: &staff_role::Model, member_count: u64) -> Self {
        Self {
            id: ID(model.id.to_string()),
            name: model.name.clone(),
            permissions: Permission::parse_list(&model.permissions)
                .into_iter()
                .collect(),
            member_count,
            created_at: model.created_at,
            updated_at: model.updated_at.unwrap_or(model.created_at),
        }
    }
}

/// Where a staff member stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entities::enums::StaffStatus")]
pub enum StaffMemberStatus {
    /// Invited; the invitation link has not been used yet. Cannot sign in.
    Invited,
    Active,
    /// Cannot sign in; holds no permissions until reactivated.
    Deactivated,
}

/// A member of the shop's staff: a customer account with roles.
#[derive(SimpleObject, Clone, Debug)]
pub struct StaffMember {
    /// The account's id (also the `Customer` id).
    pub id: ID,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: StaffMemberStatus,
    pub roles: Vec<Role>,
    /// The union of the roles' permissions while ACTIVE; empty otherwise.
    pub permissions: Vec<Permission>,
    pub created_at: DateTime<Utc>,
}

/// A member, their account and their roles with each role's member count.
pub struct MemberView {
    pub member: staff_member::Model,
    pub account: customer::Model,
    pub roles: Vec<(staff_role::Model, u64)>,
}

impl From<MemberView> for StaffMember {
    fn from(view: MemberView) -> Self {
        let permissions = if view.member.status == StaffStatus::Active {
            access::union(view.roles.iter().map(|(role, _)| role))
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
        Self {
            id: ID(view.account.id.to_string()),
            email: view.account.email,
            first_name: view.account.first_name,
            last_name: view.account.last_name,
            status: view.member.status.into(),
            roles: view
                .roles
                .iter()
                .map(|(role, count)| Role::new(role, *count))
                .collect(),
            permissions,
            created_at: view.member.created_at,
        }
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct StaffInviteInput {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Roles to give; each must hold only permissions you hold yourself.
    pub role_ids: Vec<ID>,
}

#[derive(InputObject, Clone, Debug)]
pub struct StaffUpdateInput {
    /// Left out: unchanged; blank: removed.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The member's roles from now on (left out: unchanged). A change ends their sessions.
    pub role_ids: Option<Vec<ID>>,
}

#[derive(SimpleObject)]
pub struct RolePayload {
    pub role: Option<Role>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct RoleDeletePayload {
    pub deleted_role_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct StaffMemberPayload {
    pub staff_member: Option<StaffMember>,
    pub user_errors: Vec<UserError>,
}

impl StaffMemberPayload {
    pub fn from_outcome(outcome: Result<MemberView, Vec<UserError>>) -> Self {
        match outcome {
            Ok(view) => Self {
                staff_member: Some(view.into()),
                user_errors: Vec::new(),
            },
            Err(user_errors) => Self {
                staff_member: None,
                user_errors,
            },
        }
    }
}

/// A page of staff members, oldest account first.
#[derive(SimpleObject)]
pub struct StaffMemberConnection {
    pub nodes: Vec<StaffMember>,
    /// Cursors are account ids; pass `endCursor` as `after` for the next page.
    pub page_info: PageInfo,
}

/// A page of customer accounts, newest first.
#[derive(SimpleObject)]
pub struct CustomerConnection {
    pub nodes: Vec<Customer>,
    /// Cursors are account ids; pass `endCursor` as `after` for the next page.
    pub page_info: PageInfo,
}
