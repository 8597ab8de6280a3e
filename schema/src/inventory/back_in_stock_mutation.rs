//! `backInStockSubscribe`: anyone (a guest with an email, or a signed-in customer) asks to be
//! told once when an out-of-stock variant is available again. Rate limited per client.

use super::service::back_in_stock::{self, Subscriber};
use crate::common::budget::{self, Allowance};
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::common::user_error::{ErrorCode, UserError};
use crate::context::ContextExt;
use crate::customers::service::accounts;
use async_graphql::{Context, ID, Object, Result, SimpleObject};

#[derive(SimpleObject)]
pub struct BackInStockSubscribePayload {
    /// True when the address is waiting for the variant (newly or already).
    pub subscribed: bool,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct BackInStockMutation;

#[Object]
impl BackInStockMutation {
    /// Sends one email to `email` (a signed-in customer may leave it out: their account's)
    /// and raises one BACK_IN_STOCK webhook when the variant, out of stock now, is available
    /// again; then the subscription is done. Asking again while waiting changes nothing.
    /// Counts against the client's back-in-stock allowance (`RATE_LIMITED` once spent).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn back_in_stock_subscribe(
        &self,
        ctx: &Context<'_>,
        variant_id: ID,
        email: Option<String>,
    ) -> Result<BackInStockSubscribePayload> {
        let state = ctx.state()?;
        let request = ctx.request()?;
        let variant_id = parse_id(&variant_id, "variantId")?;
        budget::require(
            state.budgets.as_ref(),
            Allowance::BackInStock,
            request.client.as_ref(),
            1,
        )
        .await?;
        let customer = request.viewer.account_id();
        let email = match (email, customer) {
            (Some(email), _) => Some(email),
            (None, Some(account)) => accounts::email_of(&state.db, account).await?,
            (None, None) => None,
        };
        let Some(email) = email else {
            return Ok(BackInStockSubscribePayload {
                subscribed: false,
                user_errors: vec![UserError::new(
                    &["email"],
                    ErrorCode::Invalid,
                    "give the email to notify (or sign in)",
                )],
            });
        };
        let subscriber = Subscriber {
            email: &email,
            customer,
        };
        let outcome = back_in_stock::subscribe(&ctx.writer()?, variant_id, subscriber).await?;
        Ok(match outcome {
            Ok(()) => BackInStockSubscribePayload {
                subscribed: true,
                user_errors: Vec::new(),
            },
            Err(error) => BackInStockSubscribePayload {
                subscribed: false,
                user_errors: vec![error],
            },
        })
    }
}
