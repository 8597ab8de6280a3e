//! The hosted pages' stylesheet and script, compiled into the binary and served from here:
//! the pages' Content-Security-Policy allows this origin only.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub const ROUTE: &str = "/checkout-assets/{file}";

const FILES: &[(&str, &str, &str)] = &[
    (
        "checkout.css",
        "text/css; charset=utf-8",
        include_str!("assets/checkout.css"),
    ),
    (
        "order-status.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/order-status.js"),
    ),
];

pub async fn asset(Path(file): Path<String>) -> Response {
    let Some((_, content_type, body)) = FILES.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = (*body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Not versioned by name: an hour keeps a deploy's change from waiting long.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}
