//! The account page's mutations: profile, address book, passwords, data export and
//! deletion. Thin: each parses its arguments, asks the signed-in viewer, and calls a service
//! in `service/`. Business refusals are `userErrors`; not being signed in is UNAUTHENTICATED.

use super::account_types::{
    CustomerAddress, CustomerAddressDeletePayload, CustomerAddressPayload,
    CustomerDataExportPayload, CustomerDeletePayload, CustomerPasswordChangePayload,
    CustomerPasswordResetPayload, CustomerPasswordResetRequestPayload, CustomerUpdateInput,
};
use super::events::{EndedSessions, SessionRevoked};
use super::service::password_reset::{self, ResetMailer};
use super::service::profile::{self, ProfileChange};
use super::service::{addresses, password_change, privacy};
use super::types::{Customer, CustomerPayload};
use crate::carts::types::MailingAddressInput;
use crate::common::budget::{self, Allowance};
use crate::common::email;
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::context::{AppState, ContextExt};
use crate::customers::service::accounts::email_error;
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, ID, Json, MaybeUndefined, Object, Result};
use uuid::Uuid;

#[derive(Default)]
pub struct AccountMutation;

/// The signed-in account, or UNAUTHENTICATED.
fn signed_in(ctx: &Context<'_>) -> ApiResult<Uuid> {
    ctx.request()?
        .viewer
        .account_id()
        .ok_or(ApiError::Unauthenticated)
}

/// A password check counts against the client's sign-in budget, like `tokenCreate`'s.
async fn count_password_check(ctx: &Context<'_>) -> ApiResult<()> {
    let state = ctx.state()?;
    let client = ctx.request()?.client.as_ref();
    budget::require(state.budgets.as_ref(), Allowance::SignIns, client, 1).await
}

/// After the commit that ended sessions: this replica refuses their tokens at once, the
/// others when the recorded event reaches them.
fn sessions_ended(state: &AppState, ended: &SessionRevoked) -> i32 {
    state.sessions.apply(ended);
    match &ended.ended {
        EndedSessions::Sessions(sessions) => i32::try_from(sessions.len()).unwrap_or(i32::MAX),
        EndedSessions::IssuedUntil(_) => 0,
    }
}

fn change_of<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(value)),
    }
}

fn address_payload(
    outcome: Result<entities::customer_address::Model, Vec<crate::common::user_error::UserError>>,
) -> CustomerAddressPayload {
    match outcome {
        Ok(row) => CustomerAddressPayload {
            address: Some(CustomerAddress::from(row)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => CustomerAddressPayload {
            address: None,
            user_errors,
        },
    }
}

#[Object]
impl AccountMutation {
    /// Changes the signed-in customer's names, phone or marketing consent. Every refused
    /// field is reported at once and nothing is saved then.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn customer_update(
        &self,
        ctx: &Context<'_>,
        input: CustomerUpdateInput,
    ) -> Result<CustomerPayload> {
        let account = signed_in(ctx)?;
        let change = ProfileChange {
            first_name: change_of(input.first_name),
            last_name: change_of(input.last_name),
            phone: change_of(input.phone),
            accepts_marketing: input.accepts_marketing,
        };
        Ok(
            match profile::update(&ctx.writer()?, account, change).await? {
                Ok(model) => CustomerPayload {
                    customer: Some(Customer::of(ctx, model).await?),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => CustomerPayload {
                    customer: None,
                    user_errors,
                },
            },
        )
    }

    /// Saves an address in the signed-in customer's address book (at most 50). The first
    /// one, or one saved with `setAsDefault: true`, becomes the default.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn customer_address_create(
        &self,
        ctx: &Context<'_>,
        address: MailingAddressInput,
        set_as_default: Option<bool>,
    ) -> Result<CustomerAddressPayload> {
        let account = signed_in(ctx)?;
        let outcome = addresses::create(
            &ctx.writer()?,
            account,
            address.into(),
            set_as_default.unwrap_or(false),
        )
        .await?;
        Ok(address_payload(outcome))
    }

    /// Replaces one of the signed-in customer's addresses.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn customer_address_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        address: MailingAddressInput,
    ) -> Result<CustomerAddressPayload> {
        let account = signed_in(ctx)?;
        let id = parse_id(&id, "id")?;
        let outcome = addresses::update(&ctx.writer()?, account, id, address.into()).await?;
        Ok(address_payload(outcome))
    }

    /// Deletes one of the signed-in customer's addresses. Deleting the default makes the
    /// most recently added remaining address the default.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn customer_address_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<CustomerAddressDeletePayload> {
        let account = signed_in(ctx)?;
        let id = parse_id(&id, "id")?;
        Ok(
            match addresses::delete(&ctx.writer()?, account, id).await? {
                Ok(deleted) => CustomerAddressDeletePayload {
                    deleted_address_id: Some(ID(deleted.to_string())),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => CustomerAddressDeletePayload {
                    deleted_address_id: None,
                    user_errors,
                },
            },
        )
    }

    /// Makes one of the signed-in customer's addresses the default (new carts start with it).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn customer_default_address_update(
        &self,
        ctx: &Context<'_>,
        address_id: ID,
    ) -> Result<CustomerAddressPayload> {
        let account = signed_in(ctx)?;
        let id = parse_id(&address_id, "addressId")?;
        let outcome = addresses::set_default(&ctx.writer()?, account, id).await?;
        Ok(address_payload(outcome))
    }

    /// Changes the password after checking the current one (counted like a sign-in). Every
    /// other session of the account ends; the one making the change stays signed in.
    #[graphql(complexity = "mutation_cost::PASSWORD_HASH * 2 + child_complexity")]
    async fn customer_password_change(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> Result<CustomerPasswordChangePayload> {
        let account = signed_in(ctx)?;
        count_password_check(ctx).await?;
        let keep = ctx
            .request()?
            .session
            .as_ref()
            .and_then(|session| session.session_id);
        let outcome = password_change::change(
            &ctx.writer()?,
            account,
            keep,
            current_password,
            new_password,
        )
        .await?;
        Ok(match outcome {
            Ok(ended) => CustomerPasswordChangePayload {
                ended_sessions: sessions_ended(ctx.state()?, &ended),
                user_errors: Vec::new(),
            },
            Err(user_errors) => CustomerPasswordChangePayload {
                ended_sessions: 0,
                user_errors,
            },
        })
    }

    /// Mails a link to choose a new password, valid for an hour and usable once, if an
    /// account has this email. The answer is the same either way (only a malformed address
    /// is refused), so it tells nobody which addresses have accounts.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn customer_password_reset_request(
        &self,
        ctx: &Context<'_>,
        email: String,
    ) -> Result<CustomerPasswordResetRequestPayload> {
        let email = match email::normalise(&email) {
            Ok(email) => email,
            Err(problem) => {
                return Ok(CustomerPasswordResetRequestPayload {
                    user_errors: vec![email_error(&["email"], problem)],
                });
            }
        };
        let state = ctx.state()?;
        let client = ctx.request()?.client.as_ref();
        budget::require(
            state.budgets.as_ref(),
            Allowance::PasswordResetsPerClient,
            client,
            1,
        )
        .await?;
        let mailer = ResetMailer {
            writer: ctx.writer()?,
            budgets: state.budgets.clone(),
            storefront_url: state.settings.mail.storefront_url.clone(),
        };
        password_reset::request_in_background(mailer, email);
        Ok(CustomerPasswordResetRequestPayload::default())
    }

    /// Sets a new password with the token of a reset link. The token works once; every
    /// session of the account ends, so sign in again with the new password.
    #[graphql(complexity = "mutation_cost::PASSWORD_HASH + child_complexity")]
    async fn customer_password_reset(
        &self,
        ctx: &Context<'_>,
        token: String,
        new_password: String,
    ) -> Result<CustomerPasswordResetPayload> {
        let outcome = password_reset::reset(&ctx.writer()?, &token, new_password).await?;
        Ok(match outcome {
            Ok(ended) => {
                sessions_ended(ctx.state()?, &ended);
                CustomerPasswordResetPayload::default()
            }
            Err(user_errors) => CustomerPasswordResetPayload { user_errors },
        })
    }

    /// A copy of everything stored about the signed-in customer, as JSON. A mutation, so it
    /// is never cached: each export is a request of its own.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn customer_data_export(&self, ctx: &Context<'_>) -> Result<CustomerDataExportPayload> {
        let account = signed_in(ctx)?;
        let data = privacy::export(&ctx.state()?.db, account).await?;
        Ok(CustomerDataExportPayload {
            data: Some(Json(data)),
            user_errors: Vec::new(),
        })
    }

    /// Deletes the signed-in customer's account after checking the password: their
    /// details are erased everywhere, their orders kept without them (see the README,
    /// "Customer accounts"), and every session ends. Staff accounts are refused.
    #[graphql(complexity = "mutation_cost::PASSWORD_HASH + child_complexity")]
    async fn customer_delete(
        &self,
        ctx: &Context<'_>,
        password: String,
    ) -> Result<CustomerDeletePayload> {
        let account = signed_in(ctx)?;
        count_password_check(ctx).await?;
        Ok(
            match privacy::delete(&ctx.writer()?, account, password).await? {
                Ok(ended) => {
                    sessions_ended(ctx.state()?, &ended);
                    CustomerDeletePayload {
                        deleted_customer_id: Some(ID(account.to_string())),
                        user_errors: Vec::new(),
                    }
                }
                Err(user_errors) => CustomerDeletePayload {
                    deleted_customer_id: None,
                    user_errors,
                },
            },
        )
    }
}
