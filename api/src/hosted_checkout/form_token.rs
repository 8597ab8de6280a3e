//! The per-cart form token every hosted checkout POST must carry (cross-site request forgery).
//!
//! The cart id is already the capability — whoever holds it can change the cart through
//! `/graphql` — and these pages set no cookie, so a forged cross-site post carries no
//! authority the forger lacks. The token still makes a POST prove it came from a page this
//! server rendered: it is an HMAC of the cart id under the server's existing link-signing
//! secret (`MAIL_SECRET`, by default derived from `JWT_SECRET`), bound to this purpose. It
//! needs no state and no cookie, so any replica checks what another rendered when they share
//! the secret, and it survives restarts whenever the secret is configured.

use schema::notifications::MailSecret;
use uuid::Uuid;

const PURPOSE: &str = "hosted checkout form";
/// 128 bits of the tag are plenty for a token that only guards one cart.
const TOKEN_BYTES: usize = 16;

/// The token of `cart_id`'s forms.
pub fn token(secret: &MailSecret, cart_id: Uuid) -> String {
    hex::encode(&secret.sign(PURPOSE, cart_id.as_bytes())[..TOKEN_BYTES])
}

/// Whether `given` is `cart_id`'s token, compared in constant time.
pub fn verify(secret: &MailSecret, cart_id: Uuid, given: &str) -> bool {
    let expected = token(secret, cart_id);
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_its_own_cart_only() {
        let secret = MailSecret::new(b"a secret of the server");
        let cart = Uuid::new_v4();
        let token = token(&secret, cart);
        assert!(verify(&secret, cart, &token));
        assert!(!verify(&secret, Uuid::new_v4(), &token));
        assert!(!verify(&MailSecret::new(b"another secret"), cart, &token));
        assert!(!verify(&secret, cart, ""));
        assert!(!verify(&secret, cart, &token[1..]));
    }
}
