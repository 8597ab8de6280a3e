//! The links a mail carries, and the secret behind the ones that must not be forgeable.
//!
//! - **Order status** (`{STOREFRONT_URL}/orders/{id}`): a guest has no account to sign in
//!   with, so a guest order's link carries an access key (`?key=ok_…`, see
//!   `orders::service::access_keys`). Only key hashes are stored, so the key is derived from
//!   the mail secret and the order's id: every mail of the order, and every retry of one,
//!   carries the same key and holds one key row of the order's 20, instead of minting one per
//!   mail and attempt. Whoever holds the secret could open any guest order, which is no more
//!   than the token-signing secret it is derived from already allows. A customer's order
//!   links without a key: they sign in.
//! - **Cart recovery** (`{STOREFRONT_URL}/cart/{cartId}`): the cart id is already a guest's
//!   credential for the cart (random v4).
//! - **Unsubscribe** (`{STOREFRONT_URL}/unsubscribe?token=…`): the address and an HMAC of it,
//!   so `emailUnsubscribe` needs no lookup and nobody can unsubscribe someone else. Tokens do
//!   not expire: an unsubscribe link must work in a mail read months later.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;
use uuid::Uuid;

/// The server's mail secret (`MAIL_SECRET`, else derived from `JWT_SECRET`, else random per
/// process). Its `Debug` hides it.
#[derive(Clone)]
pub struct MailSecret(Arc<[u8]>);

impl fmt::Debug for MailSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MailSecret(…)")
    }
}

/// What tokens signed with an unknown version look like: refused.
const UNSUBSCRIBE_VERSION: &str = "u1";

impl MailSecret {
    pub fn new(secret: &[u8]) -> Self {
        Self(Arc::from(secret))
    }

    /// A secret of its own derived from another one (the token-signing secret), so one leaked
    /// mail token says nothing about the other's signatures.
    pub fn derived_from(secret: &[u8]) -> Self {
        Self::new(&sign(secret, b"shopgraph mail secret"))
    }

    /// A random secret: tokens and keys it signed stop being recognised at restart.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        if let Err(err) = getrandom::fill(&mut bytes) {
            // Not reachable on the platforms served; still no panic: a per-process secret
            // that is hard to guess is the next best thing.
            tracing::error!(error = %err, "no randomness for the mail secret; deriving one");
            let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
            bytes.copy_from_slice(&Sha256::digest(seed.as_bytes()));
        }
        Self::new(&bytes)
    }

    /// HMAC-SHA256 of `message` under this secret, bound to `purpose` (so a tag made for one
    /// use never passes for another): also the hosted checkout's form tokens.
    pub fn sign(&self, purpose: &str, message: &[u8]) -> [u8; 32] {
        let mut input = Vec::with_capacity(purpose.len() + 1 + message.len());
        input.extend_from_slice(purpose.as_bytes());
        input.push(0);
        input.extend_from_slice(message);
        sign(&self.0, &input)
    }

    /// The token of an unsubscribe link for `email` (lowercased first).
    pub fn unsubscribe_token(&self, email: &str) -> String {
        let email = email.trim().to_lowercase();
        let tag = self.sign("unsubscribe", email.as_bytes());
        format!(
            "{UNSUBSCRIBE_VERSION}.{}.{}",
            URL_SAFE_NO_PAD.encode(email.as_bytes()),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The address an unsubscribe token names, if this secret signed it.
    pub fn unsubscribe_address(&self, token: &str) -> Option<String> {
        // Far longer than any token for a 320-character address: refused unread.
        if token.len() > 1_024 {
            return None;
        }
        let mut parts = token.trim().split('.');
        let (Some(UNSUBSCRIBE_VERSION), Some(email), Some(tag), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let email = String::from_utf8(URL_SAFE_NO_PAD.decode(email).ok()?).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let mut mac = mac(&self.0);
        mac.update(b"unsubscribe\0");
        mac.update(email.as_bytes());
        // Constant time: the comparison says nothing about how much of a forged tag was right.
        mac.verify_slice(&tag).ok()?;
        Some(email)
    }

    /// The access key the order's mails carry: `ok_` and 24 bytes of an HMAC, in the format
    /// `orders::service::access_keys` issues.
    pub fn order_key(&self, order_id: Uuid) -> String {
        let tag = self.sign("order-access-key", order_id.as_bytes());
        format!(
            "{}{}",
            crate::orders::service::access_keys::PREFIX,
            URL_SAFE_NO_PAD.encode(&tag[..24])
        )
    }
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes keys of every length (longer ones are hashed first).
        Err(_) => unreachable!("HMAC refused a key"),
    }
}

fn sign(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = mac(key);
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Links into the storefront.
pub struct Links<'a> {
    pub storefront_url: &'a str,
}

impl Links<'_> {
    /// The order's status page, with `key` for a guest.
    pub fn order(&self, order_id: Uuid, key: Option<&str>) -> String {
        match key {
            Some(key) => format!("{}/orders/{order_id}?key={key}", self.storefront_url),
            None => format!("{}/orders/{order_id}", self.storefront_url),
        }
    }

    pub fn cart(&self, cart_id: Uuid) -> String {
        format!("{}/cart/{cart_id}", self.storefront_url)
    }

    pub fn product(&self, slug: &str) -> String {
        format!("{}/products/{slug}", self.storefront_url)
    }

    pub fn unsubscribe(&self, token: &str) -> String {
        format!("{}/unsubscribe?token={token}", self.storefront_url)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_unsubscribe_token_names_its_address_and_only_its_secret_accepts_it() {
        let secret = MailSecret::new(b"one secret");
        let token = secret.unsubscribe_token(" Ann@Example.com ");
        assert_eq!(
            secret.unsubscribe_address(&token).as_deref(),
            Some("ann@example.com")
        );
        assert_eq!(
            MailSecret::new(b"another").unsubscribe_address(&token),
            None
        );
        // Another address with the first one's tag.
        let (_, tag) = token.rsplit_once('.').unwrap();
        let forged = format!("u1.{}.{tag}", URL_SAFE_NO_PAD.encode("bob@example.com"));
        assert_eq!(secret.unsubscribe_address(&forged), None);
        for bad in ["", "u1", "u1..", "u2.YQ.YQ", &format!("{token}.x")] {
            assert_eq!(secret.unsubscribe_address(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_mail_of_an_order_carries_the_same_well_formed_key() {
        let secret = MailSecret::new(b"one secret");
        let order = Uuid::now_v7();
        let key = secret.order_key(order);
        assert_eq!(key, secret.order_key(order));
        assert_ne!(key, secret.order_key(Uuid::now_v7()));
        assert_ne!(key, MailSecret::new(b"another").order_key(order));
        assert!(key.starts_with("ok_"));
        assert_eq!(key.len(), 3 + 32);
    }

    #[test]
    fn a_derived_secret_differs_from_its_source() {
        let derived = MailSecret::derived_from(b"jwt secret");
        assert_ne!(&*derived.0, b"jwt secret".as_slice());
        assert_eq!(&*derived.0, &*MailSecret::derived_from(b"jwt secret").0);
    }
}
