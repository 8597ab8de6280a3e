//! The checkout's pages other than the form: no such cart, a cart already checked out, an
//! order placed without a link, and failures the buyer cannot fix.

use super::pages;
use crate::state::ServerState;
use axum::http::StatusCode;
use axum::response::Response;
use schema::error::ApiError;
use schema::orders::service::tracking;
use uuid::Uuid;

/// What the pages call the shop (`MAIL_FROM`'s name, as the mails do).
pub fn shop_name(state: &ServerState) -> &str {
    &state.app.settings.mail.shop_name
}

pub fn not_found(state: &ServerState) -> Response {
    pages::message(
        StatusCode::NOT_FOUND,
        shop_name(state),
        "Cart not found",
        &["There is no cart at this address. Check the link, or start again from the shop."],
        None,
    )
}

/// A cart that became an order (or was merged into a signed-in customer's cart).
pub async fn converted(state: &ServerState, order_id: Option<Uuid>) -> Result<Response, ApiError> {
    let number = match order_id {
        Some(id) => tracking::number_of(&state.app.db, id).await?,
        None => None,
    };
    let line = number
        .map(|n| format!("It became order {n}. The confirmation email has the link to follow it."));
    let mut paragraphs = vec!["This cart was already checked out, so it cannot be changed."];
    if let Some(line) = &line {
        paragraphs.push(line);
    }
    Ok(pages::message(
        StatusCode::GONE,
        shop_name(state),
        "This cart was already checked out",
        &paragraphs,
        None,
    ))
}

pub fn placed_without_key(state: &ServerState, number: i64) -> Response {
    let line = format!(
        "Your order {number} was placed. The confirmation email has the link to follow it."
    );
    pages::message(
        StatusCode::OK,
        shop_name(state),
        "Thank you",
        &[&line],
        None,
    )
}

/// An error the buyer cannot fix: logged, and answered with the matching status.
pub fn failed(state: &ServerState, err: &ApiError) -> Response {
    let shop = shop_name(state);
    match err {
        ApiError::RateLimited { .. } => pages::message(
            StatusCode::TOO_MANY_REQUESTS,
            shop,
            "Too many attempts",
            &["Please wait a minute before trying again."],
            None,
        ),
        ApiError::DatabaseUnavailable(_) | ApiError::Unavailable(_) => pages::message(
            StatusCode::SERVICE_UNAVAILABLE,
            shop,
            "The shop is busy",
            &["Nothing was changed. Please try again in a moment."],
            None,
        ),
        _ => {
            tracing::error!(error = %err, "hosted checkout failed");
            pages::internal_error()
        }
    }
}
