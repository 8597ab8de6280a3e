//! What changed between two snapshots of a thing, field by field.

use super::redact::{REDACTED, is_secret, redact};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One changed field: its value before and after (`null` when the thing did not exist).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// Bookkeeping fields every write touches; they say nothing about what the staff member did.
const NOISE: &[&str] = &["updated_at", "updatedAt"];

/// The fields that differ between `before` and `after` (snapshots serialised from models or
/// small structs), in field-name order. A creation (`before: None`) lists every field of
/// `after`, a deletion every field of `before`. Secret fields appear with both values
/// redacted, so the log says that they changed and never what they are.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let empty = Map::new();
    let fields = |snapshot: Option<&Value>| -> Map<String, Value> {
        match snapshot {
            Some(Value::Object(fields)) => fields.clone(),
            Some(other) => Map::from_iter([("value".to_owned(), other.clone())]),
            None => empty.clone(),
        }
    };
    let (before, after) = (fields(before), fields(after));
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| !NOISE.contains(&name.as_str()))
        .filter_map(|name| {
            let old = before.get(name).cloned().unwrap_or(Value::Null);
            let new = after.get(name).cloned().unwrap_or(Value::Null);
            if old == new {
                return None;
            }
            let shown = |value: Value| match value {
                Value::Null => Value::Null,
                _ if is_secret(name) => Value::String(REDACTED.into()),
                value => redact(value),
            };
            Some(FieldChange {
                field: name.clone(),
                before: shown(old),
                after: shown(new),
            })
        })
        .collect()
}

/// A mutation's arguments as changes (`before` null): what the log holds when the services
/// did not describe the change. Secrets are already redacted by `Actor::new`.
pub fn from_arguments(arguments: &Value) -> Vec<FieldChange> {
    match arguments {
        Value::Object(fields) => fields
            .iter()
            .map(|(name, value)| FieldChange {
                field: name.clone(),
                before: Value::Null,
                after: value.clone(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_fields_are_kept_and_secrets_never() {
        let before = json!({ "name": "Old", "active": true, "secret": "whsec_a",
                             "updated_at": "2026-01-01T00:00:00Z" });
        let after = json!({ "name": "New", "active": true, "secret": "whsec_b",
                            "updated_at": "2026-01-02T00:00:00Z" });
        let changes = diff(Some(&before), Some(&after));
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    field: "name".into(),
                    before: json!("Old"),
                    after: json!("New"),
                },
                FieldChange {
                    field: "secret".into(),
                    before: json!(REDACTED),
                    after: json!(REDACTED),
                },
            ]
        );
        let created = diff(
            None,
            Some(&json!({ "name": "Role", "password_hash": "$argon2" })),
        );
        assert_eq!(created.len(), 2);
        assert_eq!(created[1].after, json!(REDACTED));
        assert_eq!(created[0].before, Value::Null);
        assert!(diff(Some(&before), Some(&before)).is_empty());
    }
}
