//! The hosted checkout (`Cart.checkoutUrl`): the HTML pages over plain HTTP (forms, errors,
//! redirects, the order status page) and in a real browser with live status updates.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser;
mod pages;

use super::carts::Shop;
use e2e::CartId;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::json;

/// A browser without JavaScript: follows no redirect by itself, so each 303 is seen.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The `value` of the first input named `name` in `html`.
fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no input {name} in the page"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// A page: its status, headers and body.
struct Page {
    status: StatusCode,
    location: Option<String>,
    csp: String,
    /// `RateLimit-Limit`: the pages spend the API's request budget.
    rate_limit: Option<String>,
    body: String,
}

async fn read(response: reqwest::Response) -> Page {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let status = response.status();
    let location = header("location");
    let csp = header("content-security-policy").unwrap_or_default();
    let rate_limit = header("ratelimit-limit");
    let body = response.text().await.unwrap();
    Page {
        status,
        location,
        csp,
        rate_limit,
        body,
    }
}

impl Shop {
    /// The cart's `checkoutUrl`, as `/graphql` gives it.
    async fn checkout_url(&self, cart: CartId) -> anyhow::Result<String> {
        let response = self
            .guest
            .graphql(
                "query($id: ID!) { cart(id: $id) { checkoutUrl } }",
                json!({ "id": cart.to_string() }),
            )
            .await?;
        Ok(response.data()["cart"]["checkoutUrl"]
            .as_str()
            .unwrap()
            .to_owned())
    }

    async fn get_page(&self, path: &str) -> Page {
        read(browser().get(self.server.url(path)).send().await.unwrap()).await
    }

    /// Posts a form of the checkout page of `cart`, as a browser sends it.
    async fn post_form(&self, cart: CartId, fields: &[(&str, &str)]) -> Page {
        read(
            browser()
                .post(self.server.url(&format!("/checkout/{cart}")))
                .form(fields)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}
