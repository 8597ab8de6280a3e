//! Erasing a person's strings from columns that store free text or whole JSON documents
//! (webhook bodies, outbox payloads, order history messages), for account deletion.
//!
//! Such columns cannot be cleared by key: the person's email, names, phone and address lines
//! sit inside text next to what must stay (amounts, ids). So each owning context picks the
//! rows that concern the person (they mention one of `markers`: the account id, the email,
//! the ids of their orders) and replaces every `needle` in them with [`ERASED`]. Rows about
//! other people are never touched, even when a needle (a common first name) appears there.
//!
//! Needles are replaced longest first (the full email before a name inside it), raw and as
//! JSON escapes them; JSON stays valid because [`ERASED`] needs no escaping.

use crate::error::ApiResult;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};

/// What a needle becomes.
pub const ERASED: &str = "[erased]";

/// The strings to erase: each non-blank one, and its JSON-escaped form when that differs,
/// longest first, without repeats.
pub fn needles<'a>(strings: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for text in strings {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let escaped = serde_json::to_string(text).unwrap_or_default();
        let escaped = escaped
            .strip_prefix('"')
            .and_then(|e| e.strip_suffix('"'))
            .unwrap_or(text);
        for candidate in [text, escaped] {
            if !all.iter().any(|known| known == candidate) {
                all.push(candidate.to_owned());
            }
        }
    }
    all.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    all
}

/// A text or JSON column of a table.
pub struct Column {
    pub table: &'static str,
    pub column: &'static str,
    /// JSON (`jsonb` on PostgreSQL: read and written back through `::text`).
    pub json: bool,
}

/// Replaces every needle in `column` of the rows whose column mentions one of `markers`,
/// plus the rows `extra_rows` selects (an SQL condition over the table, with its values).
/// Returns the rows changed.
pub async fn replace_in(
    db: &impl ConnectionTrait,
    column: &Column,
    markers: &[String],
    needles: &[String],
    extra_rows: Option<(&str, Vec<Value>)>,
) -> ApiResult<u64> {
    if needles.is_empty() || (markers.is_empty() && extra_rows.is_none()) {
        return Ok(0);
    }
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = Vec::new();
    let mut placeholder = |value: Value| {
        values.push(value);
        match backend {
            DatabaseBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        }
    };
    let as_text = match (backend, column.json) {
        (DatabaseBackend::Postgres, true) => format!("{}::text", column.column),
        _ => column.column.to_owned(),
    };
    let mut replaced = as_text.clone();
    for needle in needles {
        let from = placeholder(needle.as_str().into());
        let to = placeholder(ERASED.into());
        replaced = format!("REPLACE({replaced}, {from}, {to})");
    }
    if backend == DatabaseBackend::Postgres && column.json {
        replaced = format!("({replaced})::jsonb");
    }
    let mut conditions: Vec<String> = markers
        .iter()
        .map(|marker| {
            let marker = placeholder(marker.as_str().into());
            match backend {
                DatabaseBackend::Postgres => format!("strpos({as_text}, {marker}) > 0"),
                _ => format!("instr({as_text}, {marker}) > 0"),
            }
        })
        .collect();
    if let Some((condition, condition_values)) = extra_rows {
        // The caller's condition uses `?`; numbered here for PostgreSQL.
        let mut parts = condition.split('?');
        let mut numbered = parts.next().unwrap_or_default().to_owned();
        let mut condition_values = condition_values.into_iter();
        for part in parts {
            let value = condition_values.next().unwrap_or(Value::String(None));
            numbered.push_str(&placeholder(value));
            numbered.push_str(part);
        }
        conditions.push(format!("({numbered})"));
    }
    let sql = format!(
        "UPDATE {} SET {} = {replaced} WHERE {} IS NOT NULL AND ({})",
        column.table,
        column.column,
        column.column,
        conditions.join(" OR ")
    );
    let result = db
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(result.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needles_are_unique_longest_first_with_json_escapes() {
        let found = needles(["Ann", " ann@example.com ", "", "Ann", "O\"Neil"]);
        assert_eq!(
            found,
            vec!["ann@example.com", "O\\\"Neil", "O\"Neil", "Ann"]
        );
    }
}
