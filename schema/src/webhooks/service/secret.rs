//! Signing secrets and signatures, the Standard Webhooks way: a secret is `whsec_` and the
//! base64 of random bytes; a signature is `v1,` and the base64 HMAC-SHA256 of
//! `"{id}.{timestamp}.{body}"` keyed with the secret's bytes, so receivers can verify with the
//! published libraries (`standardwebhooks` in npm, PyPI, crates.io…).

use crate::error::{ApiError, ApiResult};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use entities::webhook::Secret;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "whsec_";
/// 256 bits: the HMAC key is as strong as the hash (the convention asks for 24 to 64 bytes).
const SECRET_BYTES: usize = 32;

/// A new random secret.
pub fn generate() -> ApiResult<Secret> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(Secret::new(format!("{PREFIX}{}", STANDARD.encode(bytes))))
}

/// The `webhook-signature` header for message `id` sent at `timestamp` (Unix seconds) with
/// exactly `body`.
pub fn sign(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> ApiResult<String> {
    let encoded = secret.expose();
    let key = STANDARD
        .decode(encoded.strip_prefix(PREFIX).unwrap_or(encoded))
        .map_err(|_| ApiError::Internal("a stored webhook secret is not base64".into()))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|_| ApiError::Internal("a webhook secret of no length".into()))?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_webhooks_test_vector() {
        // From the Standard Webhooks reference implementations.
        let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into());
        let body = br#"{"test": 2432232314}"#;
        let signature = sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(
            signature.ok().as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn secrets_are_random_and_long_enough() {
        let (a, b) = (generate().ok(), generate().ok());
        assert_ne!(a, b);
        let a = a.map(|s| s.expose().to_owned()).unwrap_or_default();
        assert!(a.starts_with("whsec_"));
        assert!(STANDARD.decode(&a[6..]).is_ok_and(|k| k.len() >= 24));
    }
}
