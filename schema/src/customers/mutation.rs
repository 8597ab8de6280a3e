//! Sign-up, sign-in and session mutations. Business failures are `userErrors`.

use super::access::{self, Standing};
use super::events::SessionRevoked;
use super::service::accounts::{self, Registration, SignIn};
use super::service::refresh_tokens::{self, Refused, Rotated};
use super::types::{
    Customer, CustomerPayload, CustomerRegisterInput, TokenPayload, TokenRevokePayload,
};
use crate::carts::service::{merge, view};
use crate::carts::types::Cart;
use crate::common::budget::{self, Allowance};
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::common::user_error::{ErrorCode, UserError};
use crate::context::{AppState, ContextExt};
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, ID, Object, Result};
use entities::customer;
use sea_orm::EntityTrait;
use uuid::Uuid;

#[derive(Default)]
pub struct CustomerMutation;

/// Access and refresh tokens for `account`: the refresh token continuing a session
/// (`(family, successor)`) or starting a new family. Also signs in an accepted staff
/// invitation (`staff::mutation`).
pub(crate) async fn session(
    state: &AppState,
    account: customer::Model,
    refresh: Option<(Uuid, String)>,
) -> ApiResult<TokenPayload> {
    let permissions = accounts::staff_permissions(&state.db, &account).await?;
    let (family, refresh) = match refresh {
        Some(continued) => continued,
        None => {
            let ttl = state.tokens.refresh_ttl;
            refresh_tokens::start_family(&state.writer(), account.id, ttl).await?
        }
    };
    let access = state
        .tokens
        .issue(account.id, permissions.clone(), Some(family))
        .map_err(|e| ApiError::Internal(format!("signing an access token: {e}")))?;
    Ok(TokenPayload {
        access_token: Some(access.token),
        access_token_expires_at: Some(access.expires_at),
        refresh_token: Some(refresh),
        customer: Some(Customer {
            model: account,
            permissions: permissions.unwrap_or_default().into_iter().collect(),
        }),
        cart: None,
        user_errors: Vec::new(),
    })
}

/// Where `account` stands with the staff (deactivated and invited staff may not sign in).
async fn standing(state: &AppState, account: Uuid) -> ApiResult<Standing> {
    access::standing(&state.db, account).await
}

/// After a commit that ended sessions: this replica stops accepting their tokens now, the
/// others when the recorded event reaches them (the commit woke the relay).
fn sessions_ended(state: &AppState, ended: &SessionRevoked) {
    state.sessions.apply(ended);
}

#[Object]
impl CustomerMutation {
    /// Creates a customer account. Sign in with `tokenCreate` afterwards.
    #[graphql(complexity = "mutation_cost::PASSWORD_HASH + child_complexity")]
    async fn customer_register(
        &self,
        ctx: &Context<'_>,
        input: CustomerRegisterInput,
    ) -> Result<CustomerPayload> {
        let registration = Registration {
            email: input.email,
            password: input.password,
            first_name: input.first_name,
            last_name: input.last_name,
        };
        Ok(
            match accounts::register(&ctx.writer()?, registration).await? {
                Ok(model) => CustomerPayload {
                    customer: Some(Customer {
                        model,
                        permissions: Vec::new(),
                    }),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => CustomerPayload {
                    customer: None,
                    user_errors,
                },
            },
        )
    }

    /// Signs in. A wrong email and a wrong password get the same answer, in the same time.
    /// With `guestCartId`, the guest cart's lines join the customer's cart (quantities add
    /// up, capped by stock), or the guest cart becomes theirs when they have none; `cart`
    /// is the result. An unknown or already merged guest cart is ignored.
    #[graphql(complexity = "mutation_cost::PASSWORD_HASH + child_complexity")]
    async fn token_create(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        guest_cart_id: Option<ID>,
    ) -> Result<TokenPayload> {
        let guest_cart_id = guest_cart_id
            .map(|id| parse_id(&id, "guestCartId"))
            .transpose()?;
        let state = ctx.state()?;
        // Each password check counts, aliases included, before any is made.
        let client = ctx.request()?.client.as_ref();
        budget::require(state.budgets.as_ref(), Allowance::SignIns, client, 1).await?;
        let account = match accounts::authenticate(&state.db, &email, password).await? {
            SignIn::Account(account) => account,
            SignIn::Refused => {
                return Ok(TokenPayload::refused(UserError::new(
                    &[],
                    ErrorCode::InvalidCredentials,
                    "the email or password is incorrect",
                )));
            }
            SignIn::BadEmail(problem) => {
                return Ok(TokenPayload::refused(accounts::email_error(
                    &["email"],
                    problem,
                )));
            }
        };
        // After the password check, so only the password's holder learns the account's state.
        if let Some(refusal) = standing(state, account.id).await?.sign_in_refusal() {
            return Ok(TokenPayload::refused(UserError::new(
                &[],
                ErrorCode::InvalidCredentials,
                refusal,
            )));
        }
        let account_id = account.id;
        let mut payload = session(state, account, None).await?;
        let rules = &state.settings.cart_rules;
        if let Some(guest) = guest_cart_id {
            merge::merge_guest_cart(&ctx.writer()?, rules, guest, account_id).await?;
        }
        payload.cart = match merge::current_cart(&state.db, account_id).await? {
            Some(cart) => Some(Cart(view::view(&state.db, cart, rules).await?)),
            None => None,
        };
        Ok(payload)
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once; presenting a
    /// used one ends its session (someone else may hold a copy).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn token_refresh(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
    ) -> Result<TokenPayload> {
        let state = ctx.state()?;
        let refused = |why: &str| {
            Ok(TokenPayload::refused(UserError::new(
                &["refreshToken"],
                ErrorCode::InvalidToken,
                format!("the refresh token {why}; sign in again"),
            )))
        };
        let Rotated {
            customer_id,
            family_id,
            successor,
        } = match refresh_tokens::rotate(&ctx.writer()?, &refresh_token, state.tokens.refresh_ttl)
            .await?
        {
            Ok(rotated) => rotated,
            Err(Refused::Unknown) => return refused("is not valid"),
            Err(Refused::Expired) => return refused("has expired"),
            Err(Refused::Revoked) => return refused("was revoked"),
            Err(Refused::Reused(ended)) => {
                sessions_ended(state, &ended);
                return refused("was already used, so its session was ended");
            }
        };
        let Some(account) = customer::Entity::find_by_id(customer_id)
            .one(&state.db)
            .await?
        else {
            return refused("belongs to a deleted account");
        };
        if standing(state, account.id)
            .await?
            .sign_in_refusal()
            .is_some()
        {
            return refused("belongs to a staff account that is not active");
        }
        Ok(session(state, account, Some((family_id, successor))).await?)
    }

    /// Signs out: ends the session of `refreshToken`, or every session of its account with
    /// `allSessions: true`. The access tokens of those sessions stop working at once (HTTP
    /// answers 401), and websockets signed in with them refuse further operations and end
    /// their subscriptions that need the account.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn token_revoke(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
        all_sessions: Option<bool>,
    ) -> Result<TokenRevokePayload> {
        let state = ctx.state()?;
        Ok(
            match refresh_tokens::revoke(
                &ctx.writer()?,
                &refresh_token,
                all_sessions.unwrap_or(false),
            )
            .await?
            {
                Some(revoked) => {
                    sessions_ended(state, &revoked.ended);
                    TokenRevokePayload {
                        revoked_tokens: revoked.tokens,
                        user_errors: Vec::new(),
                    }
                }
                None => TokenRevokePayload {
                    revoked_tokens: 0,
                    user_errors: vec![UserError::new(
                        &["refreshToken"],
                        ErrorCode::InvalidToken,
                        "the refresh token is not valid",
                    )],
                },
            },
        )
    }
}
