//! Secrets never reach the audit log: any field whose name says it holds one (a password,
//! a hash of one, a token, a webhook secret, an order's access key) is replaced by a marker,
//! at any depth. The marker keeps the fact of the change ("the secret was rotated") without
//! the value.

use serde_json::Value;

/// What stands in for a secret value.
pub const REDACTED: &str = "[REDACTED]";

/// Whether a field of this name holds a secret (`password`, `newPassword`, `password_hash`,
/// `token_hash`, `refreshToken`, `secret`, `accessKey`, `key_hash`).
pub fn is_secret(field: &str) -> bool {
    let field = field.to_ascii_lowercase().replace('_', "");
    ["password", "secret", "token", "hash", "accesskey"]
        .iter()
        .any(|word| field.contains(word))
}

/// `value` with every secret field's value replaced by [`REDACTED`].
pub fn redact(value: Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(name, value)| {
                    let value = if is_secret(&name) {
                        Value::String(REDACTED.into())
                    } else {
                        redact(value)
                    };
                    (name, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let redacted = redact(json!({
            "input": { "email": "a@b.co", "password": "hunter22hunter", "roleIds": ["r"] },
            "secret": "whsec_x",
            "refreshToken": "rt",
            "url": "https://x",
        }));
        assert_eq!(
            redacted,
            json!({
                "input": { "email": "a@b.co", "password": REDACTED, "roleIds": ["r"] },
                "secret": REDACTED,
                "refreshToken": REDACTED,
                "url": "https://x",
            })
        );
        assert!(is_secret("password_hash") && is_secret("token_hash") && is_secret("accessKey"));
        assert!(!is_secret("email") && !is_secret("name") && !is_secret("idempotencyKey"));
    }
}
