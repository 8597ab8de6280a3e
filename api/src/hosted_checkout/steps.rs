//! The checkout page's steps: each form's fields handed to the service the matching GraphQL
//! mutation calls, as a signed-out buyer.

use super::checkout_view;
use super::form::{self, Fields};
use crate::state::ServerState;
use schema::carts::service::access;
use schema::carts::service::details::{self, CodeTrier};
use schema::carts::service::lines::Outcome;
use schema::common::budget::ClientId;
use schema::common::user_error::{ErrorCode, UserError};
use schema::error::ApiError;
use schema::orders::service::checkout::{self, CheckoutOutcome, CheckoutRequest};
use uuid::Uuid;

/// What a step did.
pub enum Step {
    Changed(Outcome),
    Paid(CheckoutOutcome),
}

/// The cart changes other than paying, through the cart services.
pub async fn change(
    state: &ServerState,
    cart_id: Uuid,
    action: &str,
    fields: &Fields,
    client: &ClientId,
) -> Result<Outcome, ApiError> {
    let app = &state.app;
    let writer = app.writer();
    let rules = &app.settings.cart_rules;
    match action {
        "details" => details::set_buyer(&writer, rules, cart_id, None, form::buyer(fields)).await,
        "shipping" => {
            let method = form::value(fields, "shippingMethod");
            details::set_shipping_method(&writer, rules, cart_id, None, method).await
        }
        _ => {
            let code = form::value(
                fields,
                if action == "discount" {
                    "discountCode"
                } else {
                    "code"
                },
            );
            if code.is_empty() {
                return Ok(Err(vec![UserError::new(
                    &["discountCodes"],
                    ErrorCode::Invalid,
                    "enter a discount code",
                )]));
            }
            let Some(cart) = access::readable(&app.db, cart_id, None).await? else {
                return Ok(Err(vec![access::not_found()]));
            };
            let mut codes = cart.discount_codes.0;
            if action == "discount" {
                codes.push(code.to_owned());
            } else {
                codes.retain(|kept| !kept.eq_ignore_ascii_case(code));
            }
            let who = CodeTrier {
                account: None,
                client: Some(client),
                manages_discounts: false,
            };
            details::set_discount_codes(&writer, rules, app.budgets.as_ref(), cart_id, &who, &codes)
                .await
        }
    }
}

/// `checkoutComplete` with the provider and test card chosen on the page.
pub async fn pay(
    state: &ServerState,
    cart_id: Uuid,
    fields: &Fields,
) -> Result<CheckoutOutcome, ApiError> {
    let app = &state.app;
    let provider = form::value(fields, "provider");
    if !checkout_view::offered(state, provider) {
        return Ok(CheckoutOutcome {
            order: None,
            access_key: None,
            user_errors: vec![UserError::new(
                &["payment", "provider"],
                ErrorCode::Invalid,
                "choose how to pay",
            )],
        });
    }
    let token = Some(form::value(fields, "card"))
        .filter(|card| provider == "test" && !card.is_empty())
        .map(str::to_owned);
    let request = CheckoutRequest {
        cart_id,
        account: None,
        idempotency_key: form::value(fields, "idempotencyKey").to_owned(),
        provider: provider.to_owned(),
        token,
    };
    checkout::complete(
        &app.writer(),
        &app.settings.cart_rules,
        &app.payments,
        request,
    )
    .await
}
