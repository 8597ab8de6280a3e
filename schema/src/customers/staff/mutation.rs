//! Staff mutations: roles, invitations, members. Thin: the rules are in `roles`, `members`,
//! `invitations` and `rules`; refusals of the "nobody grants what they lack" rule are
//! FORBIDDEN errors, every other business refusal a userError.

use super::invitations::{self, Invitation};
use super::members::{self, MemberChanges};
use super::roles::{self, Changed, RoleSpec};
use super::types::{
    Role, RoleDeletePayload, RolePayload, StaffInviteInput, StaffMemberPayload, StaffUpdateInput,
};
use crate::common::budget::{self, Allowance};
use crate::common::ids::{parse_id, parse_ids};
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::{AppState, ContextExt};
use crate::customers::mutation::session;
use crate::customers::permissions::Permission;
use crate::customers::types::TokenPayload;
use crate::error::ApiError;
use async_graphql::{Context, ID, Object, Result};
use uuid::Uuid;

#[derive(Default)]
pub struct StaffMutation;

/// The acting staff member: MANAGE_STAFF is needed for every staff mutation but accepting an
/// invitation.
fn actor(ctx: &Context<'_>) -> Result<Uuid> {
    let viewer = &ctx.request()?.viewer;
    viewer.require_any(&[Permission::ManageStaff])?;
    Ok(viewer.account_id().ok_or(ApiError::Unauthenticated)?)
}

/// After the commit: this replica stops accepting the ended sessions now, the others when the
/// recorded events reach them.
fn apply_ended<T>(
    state: &AppState,
    outcome: Result<Changed<T>, Vec<UserError>>,
) -> Result<T, Vec<UserError>> {
    outcome.map(|changed| {
        for event in &changed.ended {
            state.sessions.apply(event);
        }
        changed.value
    })
}

fn role_payload(
    outcome: Result<(entities::staff_role::Model, u64), Vec<UserError>>,
) -> RolePayload {
    match outcome {
        Ok((role, n)) => RolePayload {
            role: Some(Role::new(&role, n)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => RolePayload {
            role: None,
            user_errors,
        },
    }
}

#[Object]
impl StaffMutation {
    /// Creates a role (MANAGE_STAFF). Giving it a permission you do not hold is FORBIDDEN.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn role_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Unique, at most 64 characters.")] name: String,
        #[graphql(desc = "You can only give permissions you hold yourself.")] permissions: Vec<
            Permission,
        >,
    ) -> Result<RolePayload> {
        let actor = actor(ctx)?;
        let spec = RoleSpec { name, permissions };
        let outcome = roles::create(&ctx.writer()?, actor, spec).await?;
        Ok(role_payload(apply_ended(ctx.state()?, outcome)))
    }

    /// Renames a role and sets its permissions (MANAGE_STAFF). FORBIDDEN when the role holds,
    /// or would hold, a permission you lack; LAST_STAFF_MANAGER when it would leave nobody
    /// active with MANAGE_STAFF. Changed permissions end the sessions of its members.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn role_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: String,
        permissions: Vec<Permission>,
    ) -> Result<RolePayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&id, "id")?;
        let spec = RoleSpec { name, permissions };
        let outcome = roles::update(&ctx.writer()?, actor, id, spec).await?;
        Ok(role_payload(apply_ended(ctx.state()?, outcome)))
    }

    /// Deletes a role (MANAGE_STAFF); its members lose it and their sessions end. FORBIDDEN
    /// when it holds a permission you lack; LAST_STAFF_MANAGER when it is how the last active
    /// holders of MANAGE_STAFF hold it.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn role_delete(&self, ctx: &Context<'_>, id: ID) -> Result<RoleDeletePayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&id, "id")?;
        let outcome = roles::delete(&ctx.writer()?, actor, id).await?;
        Ok(match apply_ended(ctx.state()?, outcome) {
            Ok(deleted) => RoleDeletePayload {
                deleted_role_id: Some(ID(deleted.to_string())),
                user_errors: Vec::new(),
            },
            Err(user_errors) => RoleDeletePayload {
                deleted_role_id: None,
                user_errors,
            },
        })
    }

    /// Invites someone to the staff (MANAGE_STAFF): their account (an existing customer's, or
    /// a new one without a password) becomes an INVITED member with `roleIds`, and they are
    /// mailed a link to set a password, valid 72 hours and once (`staffInvitationAccept`).
    /// Giving a role that holds a permission you lack is FORBIDDEN.
    #[graphql(complexity = "mutation_cost::WRITE * 2 + child_complexity")]
    async fn staff_invite(
        &self,
        ctx: &Context<'_>,
        input: StaffInviteInput,
    ) -> Result<StaffMemberPayload> {
        let actor = actor(ctx)?;
        let state = ctx.state()?;
        let invitation = Invitation {
            email: input.email,
            first_name: input.first_name,
            last_name: input.last_name,
            role_ids: parse_ids(&input.role_ids, "roleIds")?,
        };
        let storefront = &state.settings.mail.storefront_url;
        let outcome = invitations::invite(&ctx.writer()?, actor, invitation, storefront).await?;
        Ok(StaffMemberPayload::from_outcome(apply_ended(
            state, outcome,
        )))
    }

    /// Accepts a staff invitation (no sign-in needed: the token is the credential): sets the
    /// password and signs in, like `tokenCreate`. The token works once, for 72 hours.
    #[graphql(complexity = "mutation_cost::PASSWORD_HASH * 2 + child_complexity")]
    async fn staff_invitation_accept(
        &self,
        ctx: &Context<'_>,
        token: String,
        password: String,
    ) -> Result<TokenPayload> {
        let state = ctx.state()?;
        // Hashing is costly: counted like a sign-in, before any is made.
        let client = ctx.request()?.client.as_ref();
        budget::require(state.budgets.as_ref(), Allowance::SignIns, client, 1).await?;
        Ok(
            match invitations::accept(&ctx.writer()?, &token, password).await? {
                Ok(account) => session(state, account, None).await?,
                Err(user_errors) => TokenPayload {
                    user_errors,
                    ..TokenPayload::default()
                },
            },
        )
    }

    /// Changes a staff member's names and roles (MANAGE_STAFF). FORBIDDEN when they hold, or
    /// would be given, a permission you lack; LAST_STAFF_MANAGER when it would take
    /// MANAGE_STAFF from the last active holder. A change of roles ends their sessions.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn staff_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: StaffUpdateInput,
    ) -> Result<StaffMemberPayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&id, "id")?;
        let changes = MemberChanges {
            first_name: input.first_name,
            last_name: input.last_name,
            role_ids: input
                .role_ids
                .map(|ids| parse_ids(&ids, "input.roleIds"))
                .transpose()?,
        };
        let outcome = members::update(&ctx.writer()?, actor, id, changes).await?;
        Ok(StaffMemberPayload::from_outcome(apply_ended(
            ctx.state()?,
            outcome,
        )))
    }

    /// Deactivates a staff member (MANAGE_STAFF): their sessions end at once (HTTP and
    /// websockets) and they cannot sign in. FORBIDDEN when they hold a permission you lack;
    /// LAST_STAFF_MANAGER for the last active holder of MANAGE_STAFF.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn staff_deactivate(&self, ctx: &Context<'_>, id: ID) -> Result<StaffMemberPayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&id, "id")?;
        let outcome = members::set_active(&ctx.writer()?, actor, id, false).await?;
        Ok(StaffMemberPayload::from_outcome(apply_ended(
            ctx.state()?,
            outcome,
        )))
    }

    /// Reactivates a deactivated staff member (MANAGE_STAFF); one who never accepted their
    /// invitation goes back to INVITED. FORBIDDEN when they hold a permission you lack.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn staff_reactivate(&self, ctx: &Context<'_>, id: ID) -> Result<StaffMemberPayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&id, "id")?;
        let outcome = members::set_active(&ctx.writer()?, actor, id, true).await?;
        Ok(StaffMemberPayload::from_outcome(apply_ended(
            ctx.state()?,
            outcome,
        )))
    }
}
