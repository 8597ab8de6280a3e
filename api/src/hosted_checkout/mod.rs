//! The hosted checkout: the page `Cart.checkoutUrl` leads to (`GET /checkout/{cart}`), its
//! form posts (`POST /checkout/{cart}`), and the order status page a guest lands on
//! (`GET /orders/{number or id}?key=…`), which follows the order live when JavaScript runs.
//!
//! Server-rendered HTML that works without JavaScript: every step is a plain form POST that
//! calls the same cart and checkout services as the GraphQL mutations, then redirects (303,
//! Post/Redirect/Get); a refused step renders the page again with the services' user errors
//! beside their fields, and changes nothing. Templates and assets are compiled into the
//! binary (`templates/`, `assets/`) and rendered with minijinja, HTML auto-escaping on.
//!
//! Security: the cart id is the capability (as on `/graphql`); every POST also carries the
//! cart's form token (`form_token`), and every page a strict Content-Security-Policy
//! (`pages::secure`). The routes sit behind the same rate limiter and body limit as
//! `/graphql`. Only guest carts are served: a customer's cart needs the customer's token,
//! which a browser following a link does not send, so it is "not found" here as everywhere.

mod assets;
mod checkout_page;
mod checkout_view;
mod form;
mod form_token;
mod order_page;
mod pages;
mod replies;
mod steps;

use crate::state::ServerState;
use axum::Router;
use axum::routing::get;

/// The pages (rate limited like `/graphql`: the router mounts them before its budget layer).
pub fn pages() -> Router<ServerState> {
    Router::new()
        .route(
            "/checkout/{cart_id}",
            get(checkout_page::show).post(checkout_page::submit),
        )
        .route("/orders/{reference}", get(order_page::show))
}

/// The stylesheet and the status page's script.
pub fn assets() -> Router<ServerState> {
    Router::new().route(assets::ROUTE, get(assets::asset))
}
