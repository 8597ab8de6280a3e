//! `emailUnsubscribe`: the public end of a marketing mail's unsubscribe link.

use super::service::suppressions;
use crate::common::mutation_cost;
use crate::common::user_error::{ErrorCode, UserError};
use crate::context::ContextExt;
use async_graphql::{Context, Object, Result, SimpleObject};

#[derive(Default)]
pub struct NotificationMutation;

#[derive(SimpleObject)]
pub struct EmailUnsubscribePayload {
    /// The address that gets no more marketing mail (back in stock, abandoned cart); order
    /// mail still reaches it.
    pub email: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[Object]
impl NotificationMutation {
    /// Stops marketing mail to the address a mail's unsubscribe link names (`token` is the
    /// link's `token` parameter, signed by this shop). Anyone holding the link may use it, no
    /// sign-in needed; using it again changes nothing.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn email_unsubscribe(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> Result<EmailUnsubscribePayload> {
        let state = ctx.state()?;
        let Some(email) = state.settings.mail.secret.unsubscribe_address(&token) else {
            return Ok(EmailUnsubscribePayload {
                email: None,
                user_errors: vec![UserError::new(
                    &["token"],
                    ErrorCode::InvalidToken,
                    "this unsubscribe link is not valid",
                )],
            });
        };
        suppressions::suppress(&ctx.writer()?, &email).await?;
        Ok(EmailUnsubscribePayload {
            email: Some(email),
            user_errors: Vec::new(),
        })
    }
}
