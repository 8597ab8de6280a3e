//! GraphQL types of accounts and tokens.

use super::account_types::CustomerAddress;
use super::auth::Permission;
use super::service::accounts::staff_permissions;
use super::service::addresses;
use crate::carts::service::{merge, view};
use crate::carts::types::Cart;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::orders::query::{OrderConnection, order_page};
use crate::orders::service::listing::OrderScope;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entities::customer;

/// A customer account (staff members are customers with a `staff_members` row).
pub struct Customer {
    pub model: customer::Model,
    pub permissions: Vec<Permission>,
}

impl Customer {
    /// `model` with its staff permissions, for an answer.
    pub async fn of(ctx: &Context<'_>, model: customer::Model) -> ApiResult<Self> {
        let permissions = staff_permissions(&ctx.state()?.db, &model)
            .await?
            .unwrap_or_default()
            .into_iter()
            .collect();
        Ok(Self { model, permissions })
    }

    /// The address book and the cart are the account holder's own: nobody else reads them
    /// through a `Customer`.
    fn require_owner(&self, ctx: &Context<'_>) -> ApiResult<()> {
        if ctx.request()?.viewer.account_id() == Some(self.model.id) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "only the account holder sees its addresses and cart".into(),
            ))
        }
    }
}

#[Object]
impl Customer {
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }

    async fn email(&self) -> &str {
        &self.model.email
    }

    async fn first_name(&self) -> Option<&str> {
        self.model.first_name.as_deref()
    }

    async fn last_name(&self) -> Option<&str> {
        self.model.last_name.as_deref()
    }

    /// Whether the account is an ACTIVE staff member.
    async fn is_staff(&self, ctx: &Context<'_>) -> Result<bool> {
        if !self.permissions.is_empty() {
            return Ok(true);
        }
        // An active member may hold roles without permissions: asked only when it matters.
        let db = &ctx.state()?.db;
        let standing = crate::customers::access::standing(db, self.model.id).await?;
        Ok(matches!(
            standing,
            crate::customers::access::Standing::Staff(_)
        ))
    }

    async fn phone(&self) -> Option<&str> {
        self.model.phone.as_deref()
    }

    /// Whether the customer agreed to marketing mail.
    async fn accepts_marketing(&self) -> bool {
        self.model.accepts_marketing
    }

    /// The saved addresses, oldest first (only for the account holder).
    async fn addresses(&self, ctx: &Context<'_>) -> Result<Vec<CustomerAddress>> {
        self.require_owner(ctx)?;
        let rows = addresses::list(&ctx.state()?.db, self.model.id).await?;
        Ok(rows.into_iter().map(CustomerAddress::from).collect())
    }

    /// The address new carts start with (only for the account holder).
    async fn default_address(&self, ctx: &Context<'_>) -> Result<Option<CustomerAddress>> {
        self.require_owner(ctx)?;
        let rows = addresses::list(&ctx.state()?.db, self.model.id).await?;
        Ok(rows
            .into_iter()
            .find(|row| row.is_default)
            .map(CustomerAddress::from))
    }

    /// The customer's open cart: their most recently changed active one (only for the
    /// account holder).
    async fn cart(&self, ctx: &Context<'_>) -> Result<Option<Cart>> {
        self.require_owner(ctx)?;
        let state = ctx.state()?;
        Ok(match merge::current_cart(&state.db, self.model.id).await? {
            Some(cart) => Some(Cart(
                view::view(&state.db, cart, &state.settings.cart_rules).await?,
            )),
            None => None,
        })
    }

    /// Staff permissions (empty for customers).
    async fn permissions(&self) -> &[Permission] {
        &self.permissions
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    /// This customer's orders, newest first.
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> Result<OrderConnection> {
        let scope = OrderScope {
            customer: Some(self.model.id),
            ..OrderScope::default()
        };
        Ok(order_page(ctx, scope, first, after).await?)
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct CustomerRegisterInput {
    pub email: String,
    /// At least 10 characters, not a common password, not containing the email.
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(SimpleObject)]
pub struct CustomerPayload {
    pub customer: Option<Customer>,
    pub user_errors: Vec<UserError>,
}

/// A signed-in session: send `accessToken` as `Authorization: Bearer …` (HTTP) or in the
/// websocket `connection_init` payload; exchange `refreshToken` for new tokens before the
/// access token expires. Every refresh token works once.
#[derive(SimpleObject, Default)]
pub struct TokenPayload {
    pub access_token: Option<String>,
    pub access_token_expires_at: Option<DateTime<Utc>>,
    pub refresh_token: Option<String>,
    pub customer: Option<Customer>,
    /// The customer's current cart after sign-in, with a `guestCartId`'s lines merged in;
    /// null when they have none.
    pub cart: Option<Cart>,
    pub user_errors: Vec<UserError>,
}

impl TokenPayload {
    pub fn refused(error: UserError) -> Self {
        Self {
            user_errors: vec![error],
            ..Self::default()
        }
    }
}

#[derive(SimpleObject)]
pub struct TokenRevokePayload {
    /// How many refresh tokens stopped working.
    pub revoked_tokens: u64,
    pub user_errors: Vec<UserError>,
}
