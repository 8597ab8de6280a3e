//! Where a cart is checked out: the hosted checkout page this server serves
//! (`PUBLIC_URL/checkout/<cart id>`). One function, so `/graphql`'s `Cart.checkoutUrl`, the
//! Shopify-shaped endpoint's and the page's own links cannot disagree.

use uuid::Uuid;

/// The path of the hosted checkout of `cart_id`, from the server's root.
pub fn checkout_path(cart_id: Uuid) -> String {
    format!("/checkout/{cart_id}")
}

/// The absolute URL of the hosted checkout of `cart_id` under `public_url` (the server's
/// public base URL; a trailing slash is ignored).
pub fn checkout_url(public_url: &str, cart_id: Uuid) -> String {
    format!(
        "{}{}",
        public_url.trim_end_matches('/'),
        checkout_path(cart_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_the_public_url_and_the_cart_path() {
        let id = Uuid::nil();
        let expected = format!("https://shop.example/checkout/{id}");
        assert_eq!(checkout_url("https://shop.example", id), expected);
        assert_eq!(checkout_url("https://shop.example/", id), expected);
    }
}
