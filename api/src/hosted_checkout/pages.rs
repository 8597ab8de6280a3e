//! Rendering the hosted pages: the templates (compiled into the binary, HTML auto-escaping on
//! for all of them) and the headers every page is sent with.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::{AutoEscape, Environment};
use serde_json::{Value, json};
use std::sync::LazyLock;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("checkout.html", include_str!("templates/checkout.html")),
    ("order.html", include_str!("templates/order.html")),
    ("message.html", include_str!("templates/message.html")),
];

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // Every value is escaped, whatever a template is called: product names, addresses and
    // error messages come from buyers and staff.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_loader(|name| {
        Ok(TEMPLATES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, source)| minijinja::TemplateSource::from(*source)))
    });
    env
});

/// The policy of every hosted page: this origin's stylesheet and script only (no inline
/// script or style), forms posting back here only, never framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// Renders `template` with `context` (plus the shop's name) as a page with `status`.
pub fn page(status: StatusCode, template: &str, shop_name: &str, context: Value) -> Response {
    let mut context = context;
    if let Some(map) = context.as_object_mut() {
        map.insert("shop_name".into(), json!(shop_name));
    }
    let rendered = ENVIRONMENT
        .get_template(template)
        .and_then(|t| t.render(minijinja::value::Serde(&context)));
    match rendered {
        Ok(html) => secure((status, html).into_response()),
        Err(err) => {
            tracing::error!(template, error = %err, "rendering a hosted checkout page failed");
            internal_error()
        }
    }
}

/// A page of a title and a few paragraphs, with an optional link.
pub fn message(
    status: StatusCode,
    shop_name: &str,
    title: &str,
    paragraphs: &[&str],
    link: Option<(&str, &str)>,
) -> Response {
    let link = link.map(|(href, text)| json!({ "href": href, "text": text }));
    page(
        status,
        "message.html",
        shop_name,
        json!({ "title": title, "paragraphs": paragraphs, "link": link }),
    )
}

/// What a failure the buyer cannot fix shows (the error itself is logged where it happened).
pub fn internal_error() -> Response {
    let body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <title>Something went wrong</title></head><body><main><h1>Something went wrong</h1>\
        <p>Nothing was charged twice. Please try again in a moment.</p></main></body></html>";
    secure((StatusCode::INTERNAL_SERVER_ERROR, body).into_response())
}

/// A 303 to `location` (a path on this server): Post/Redirect/Get.
pub fn see_other(location: &str) -> Response {
    let Ok(value) = HeaderValue::from_str(location) else {
        tracing::error!("a redirect to an unrepresentable location");
        return internal_error();
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(header::LOCATION, value);
    secure(response)
}

/// The headers of every hosted page and redirect: HTML, the CSP, no sniffing, no referrer
/// (an order page's address holds its key), never stored by caches.
pub fn secure(mut response: Response) -> Response {
    let headers: &mut HeaderMap = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `PARTIALLY_FULFILLED` → "Partially fulfilled" (the status script words it the same way).
pub fn label(value: &str) -> String {
    let words = value.to_lowercase().replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_escapes() {
        for (name, _) in TEMPLATES {
            assert!(ENVIRONMENT.get_template(name).is_ok(), "{name}");
        }
        let response = message(
            StatusCode::OK,
            "<b>Shop</b>",
            "<i>x</i>",
            &["<script>"],
            None,
        );
        assert_eq!(response.status(), StatusCode::OK);
    }

    #[test]
    fn statuses_read_as_words() {
        assert_eq!(label("PARTIALLY_FULFILLED"), "Partially fulfilled");
        assert_eq!(label("PAID"), "Paid");
        assert_eq!(label(""), "");
    }
}
