//! Password hashing (argon2id, the crate's recommended parameters) and the password policy.
//!
//! Hashing is deliberately slow (tens of milliseconds), so it runs on the blocking pool and
//! never stalls the async workers.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::sync::OnceLock;

/// Shortest accepted password.
pub const MIN_PASSWORD_LEN: usize = 10;
/// Longest accepted password (bounds hashing work per request).
pub const MAX_PASSWORD_LEN: usize = 256;

/// A few of the most common passwords that pass the length rule.
const COMMON: &[&str] = &[
    "password123",
    "1234567890",
    "qwertyuiop",
    "password12",
    "iloveyou12",
    "123456789a",
    "abcdefghij",
];

/// Why a password is refused, as shown to the user; `None` when it is acceptable.
pub fn weakness(password: &str, email: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_LEN {
        return Some(format!("use at least {MIN_PASSWORD_LEN} characters"));
    }
    if chars > MAX_PASSWORD_LEN {
        return Some(format!("use at most {MAX_PASSWORD_LEN} characters"));
    }
    let lower = password.to_lowercase();
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() < 4 || COMMON.contains(&lower.as_str()) {
        return Some("this password is too easy to guess".into());
    }
    // Short local parts ("j@…") would forbid every password containing that letter.
    let local_part = email.split('@').next().unwrap_or_default();
    if local_part.chars().count() >= 3 && lower.contains(local_part) {
        return Some("the password must not contain your email address".into());
    }
    None
}

/// The argon2id PHC string of `password`.
pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// What an account without a password stores (one a staff invitation made, until it is
/// accepted): no password matches it.
pub const NO_PASSWORD: &str = "";

/// Whether `stored` is a password hash at all (a PHC string), rather than [`NO_PASSWORD`].
pub fn is_usable(stored: &str) -> bool {
    stored.starts_with('$')
}

/// Whether `password` matches `stored` (a PHC string). With `stored: None`, or an account
/// without a password, it checks against a throw-away hash, so that "no such account" and "no
/// password yet" take as long as "wrong password".
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let stored = stored.filter(|stored| is_usable(stored));
    tokio::task::spawn_blocking(move || {
        let argon2 = Argon2::default();
        match stored {
            Some(stored) => argon2
                .verify_password(password.as_bytes(), stored.as_str())
                .is_ok(),
            None => {
                let _ = argon2.verify_password(password.as_bytes(), dummy_hash());
                false
            }
        }
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"shopgraph timing equaliser")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_refuses_weak_passwords() {
        assert!(weakness("short", "a@b.co").is_some());
        assert!(weakness("aaaaaaaaaaaa", "a@b.co").is_some());
        assert!(weakness("password123", "a@b.co").is_some());
        assert!(weakness("jane.doe-2026!", "jane.doe@example.com").is_some());
        assert!(weakness("correct horse battery", "jane@example.com").is_none());
        assert!(
            weakness("correct horse battery", "s@example.com").is_none(),
            "one-letter local parts are not checked"
        );
    }

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let stored = hash("correct horse battery".into())
            .await
            .unwrap_or_default();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(stored)).await);
        assert!(!verify("anything".into(), None).await);
    }
}
