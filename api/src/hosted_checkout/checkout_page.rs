//! `GET /checkout/{cart}`: the checkout page; `POST /checkout/{cart}`: one of its forms, named
//! by its `action` field (`details`, `shipping`, `discount`, `remove_discount`, `pay`).
//!
//! Each action calls the service the matching GraphQL mutation calls, as a signed-out buyer
//! (`cartBuyerIdentityUpdate`, `cartShippingMethodUpdate`, `cartDiscountCodesUpdate`,
//! `checkoutComplete`). Success redirects (303) to the page again, or for `pay` to the order
//! status page; a refusal renders the page (422) with the errors beside their fields and
//! the buyer's input kept, the cart unchanged. `pay` carries an idempotency key drawn when
//! the page was rendered, so a double submit of that page names one order.

use super::checkout_view as view_context;
use super::form::{self, Fields};
use super::replies::{converted, failed, not_found, placed_without_key, shop_name};
use super::steps::{self, Step};
use super::{form_token, pages};
use crate::caller::Caller;
use crate::state::ServerState;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use entities::enums::CartStatus;
use schema::carts::service::{access, checkout_url::checkout_path, view};
use schema::carts::types::Cart;
use schema::common::user_error::UserError;
use schema::error::ApiError;
use schema::orders::service::checkout::CheckoutOutcome;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Deserialize)]
pub struct Shown {
    /// The step that just succeeded (after a redirect), for the confirmation line.
    done: Option<String>,
}

pub async fn show(
    State(state): State<ServerState>,
    Path(cart_id): Path<String>,
    shown: Result<Query<Shown>, QueryRejection>,
) -> Response {
    let Ok(cart_id) = Uuid::parse_str(&cart_id) else {
        return not_found(&state);
    };
    let done = shown.ok().and_then(|Query(shown)| shown.done);
    let notice = done.as_deref().and_then(notice_of);
    match page(&state, cart_id, StatusCode::OK, None, &[], notice).await {
        Ok(response) => response,
        Err(err) => failed(&state, &err),
    }
}

pub async fn submit(
    State(state): State<ServerState>,
    caller: Caller,
    headers: HeaderMap,
    Path(cart_id): Path<String>,
    fields: Result<Form<Fields>, FormRejection>,
) -> Response {
    let shop = shop_name(&state);
    let Ok(cart_id) = Uuid::parse_str(&cart_id) else {
        return not_found(&state);
    };
    let Ok(Form(fields)) = fields else {
        return pages::message(
            StatusCode::BAD_REQUEST,
            shop,
            "The form could not be read",
            &["Go back to the checkout and send it again."],
            Some((&checkout_path(cart_id), "Back to checkout")),
        );
    };
    // Browsers say where a post comes from; another site's page never posts here.
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    let token = form::value(&fields, "token");
    if cross_site || !form_token::verify(&state.app.settings.mail.secret, cart_id, token) {
        return pages::message(
            StatusCode::FORBIDDEN,
            shop,
            "This form has expired",
            &[
                "It did not come from this checkout page. Nothing was changed: open the checkout again and resend it.",
            ],
            Some((&checkout_path(cart_id), "Back to checkout")),
        );
    }
    let action = form::value(&fields, "action").to_owned();
    let client = caller.client.id();
    let outcome = match action.as_str() {
        "details" | "shipping" | "discount" | "remove_discount" => {
            steps::change(&state, cart_id, &action, &fields, &client)
                .await
                .map(Step::Changed)
        }
        "pay" => steps::pay(&state, cart_id, &fields).await.map(Step::Paid),
        _ => {
            return pages::message(
                StatusCode::BAD_REQUEST,
                shop,
                "Unknown step",
                &["This checkout does not know that step."],
                Some((&checkout_path(cart_id), "Back to checkout")),
            );
        }
    };
    let result = match outcome {
        Ok(step) => respond(&state, cart_id, &action, &fields, step).await,
        Err(err) => Err(err),
    };
    result.unwrap_or_else(|err| failed(&state, &err))
}

async fn respond(
    state: &ServerState,
    cart_id: Uuid,
    action: &str,
    fields: &Fields,
    step: Step,
) -> Result<Response, ApiError> {
    let errors = match step {
        Step::Changed(Ok(_)) => {
            return Ok(pages::see_other(&format!(
                "{}?done={action}",
                checkout_path(cart_id)
            )));
        }
        Step::Paid(CheckoutOutcome {
            order: Some(order),
            access_key,
            user_errors,
        }) if user_errors.is_empty() => {
            return Ok(match access_key {
                Some(key) => pages::see_other(&format!("/orders/{}?key={key}", order.number)),
                // A replay past the order's cap of keys: the order stands, the link is in mail.
                None => placed_without_key(state, order.number),
            });
        }
        Step::Changed(Err(errors)) => errors,
        Step::Paid(outcome) => outcome.user_errors,
    };
    page(
        state,
        cart_id,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(fields),
        &errors,
        None,
    )
    .await
}

/// The checkout page of `cart_id` as it is now, or the page saying why there is none.
async fn page(
    state: &ServerState,
    cart_id: Uuid,
    status: StatusCode,
    sent: Option<&Fields>,
    errors: &[UserError],
    notice: Option<&str>,
) -> Result<Response, ApiError> {
    let app = &state.app;
    let Some(cart) = access::readable(&app.db, cart_id, None).await? else {
        return Ok(not_found(state));
    };
    if cart.status == CartStatus::Converted {
        return converted(state, cart.converted_order_id).await;
    }
    let view = view::view(&app.db, cart, &app.settings.cart_rules).await?;
    let cart = Cart(view);
    let (methods, no_methods) = view_context::shipping_context(&cart);
    let (providers, cards) =
        view_context::payment_context(|name| view_context::offered(state, name), sent);
    let (errors, summary) = form::placed_errors(errors);
    let context = json!({
        "action": checkout_path(cart_id),
        "token": form_token::token(&app.settings.mail.secret, cart_id),
        "idempotency_key": idempotency_key()?,
        "cart": view_context::cart_context(&cart.0),
        "values": view_context::values(&cart.0, sent),
        "methods": methods,
        "no_methods": no_methods,
        "providers": providers,
        "cards": cards,
        "errors": errors,
        "summary": summary,
        "notice": notice,
    });
    Ok(pages::page(
        status,
        "checkout.html",
        shop_name(state),
        context,
    ))
}

/// A key drawn for each rendering of the page: both posts of a double submit carry the same
/// one, and a buyer whose card was declined gets a new page, so a new key, to try again.
fn idempotency_key() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(format!("hosted-{}", hex::encode(bytes)))
}

fn notice_of(step: &str) -> Option<&'static str> {
    Some(match step {
        "details" => "Your contact details and shipping address were saved.",
        "shipping" => "Your shipping method was saved.",
        "discount" => "The discount code was added.",
        "remove_discount" => "The discount code was removed.",
        _ => return None,
    })
}
