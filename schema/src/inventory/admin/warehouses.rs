//! Staff changes to warehouses.

use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use crate::unit_of_work::Writer;
use chrono::{Duration, DurationRound, Utc};
use entities::warehouse;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

/// Longest code (the column is `varchar(32)`).
pub const MAX_CODE_LEN: usize = 32;
/// Longest name (the column is `varchar(255)`).
pub const MAX_NAME_LEN: usize = 255;

/// What a new warehouse gives.
#[derive(Clone, Debug, Default)]
pub struct NewWarehouse {
    pub code: String,
    pub name: String,
    /// Allocation order (lower first); after every existing warehouse when `None`.
    pub priority: Option<i32>,
}

/// Codes are stored trimmed and upper-cased: `us-west` and `US-WEST` are one warehouse.
pub fn normalise_code(code: &str) -> String {
    code.trim().to_uppercase()
}

/// Whether `code` matches `^[A-Z0-9][A-Z0-9_-]{0,31}$`.
pub fn is_valid_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_CODE_LEN
        && (bytes[0].is_ascii_uppercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
}

fn code_taken() -> UserError {
    UserError::new(
        &["input", "code"],
        ErrorCode::Taken,
        "another warehouse already uses this code",
    )
}

/// Creates a warehouse. Returns the user errors instead when the input is refused; then
/// nothing is written.
pub async fn create_warehouse(
    writer: &Writer,
    input: NewWarehouse,
) -> ApiResult<Result<warehouse::Model, Vec<UserError>>> {
    let mut errors = Vec::new();
    let code = normalise_code(&input.code);
    let code_ok = is_valid_code(&code);
    if !code_ok {
        errors.push(UserError::new(
            &["input", "code"],
            ErrorCode::Invalid,
            format!(
                "use 1 to {MAX_CODE_LEN} letters, digits, dashes and underscores, starting with a letter or digit"
            ),
        ));
    }
    let name = text::required_line(&input.name, MAX_NAME_LEN).unwrap_or_else(|problem| {
        let field = ["input", "name"];
        errors.push(UserError::new(
            &field,
            ErrorCode::Invalid,
            problem.to_string(),
        ));
        String::new()
    });

    // One transaction, so the default priority is computed against what is committed with it
    // (SQLite serialises these; on PostgreSQL two concurrent creates may tie, and ties are
    // ordered by code).
    let write = writer.begin().await?;
    let txn = write.txn();
    if code_ok
        && warehouse::Entity::find()
            .filter(warehouse::Column::Code.eq(&code))
            .count(txn)
            .await?
            > 0
    {
        errors.push(code_taken());
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let priority = match input.priority {
        Some(priority) => priority,
        None => {
            let max: Option<Option<i32>> = warehouse::Entity::find()
                .select_only()
                .expr(Func::max(Expr::col(warehouse::Column::Priority)))
                .into_tuple()
                .one(txn)
                .await?;
            max.flatten().map_or(1, |m| m.saturating_add(1))
        }
    };
    let now = Utc::now();
    let row = warehouse::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code),
        name: Set(name),
        priority: Set(priority),
        created_at: Set(now.duration_trunc(Duration::microseconds(1)).unwrap_or(now)),
    };
    match row.insert(txn).await {
        Ok(model) => {
            write.commit().await?;
            Ok(Ok(model))
        }
        // Two creates racing for one code: the unique index decides.
        Err(err) if is_unique_violation(&err) => Ok(Err(vec![code_taken()])),
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_normalised_and_checked() {
        assert_eq!(normalise_code(" us-west_2 "), "US-WEST_2");
        for good in [
            "A",
            "9",
            "US-WEST",
            "EU_CENTRAL-1",
            &"A".repeat(MAX_CODE_LEN),
        ] {
            assert!(is_valid_code(good), "{good:?}");
        }
        for bad in [
            "",
            "-A",
            "_A",
            "A B",
            "a",
            "É",
            &"A".repeat(MAX_CODE_LEN + 1),
        ] {
            assert!(!is_valid_code(bad), "{bad:?}");
        }
    }
}
