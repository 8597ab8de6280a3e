//! The customer's own profile: names, phone and the marketing consent (`customerUpdate`).

use super::accounts::clean_name;
use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiError, ApiResult};
use crate::unit_of_work::Writer;
use entities::customer;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use uuid::Uuid;

/// The longest phone number stored (the column's width).
pub const MAX_PHONE_LEN: usize = 32;

/// What to change; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct ProfileChange {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub accepts_marketing: Option<bool>,
}

/// A phone number as people type it: digits with spaces, `-`, `.`, parentheses and one
/// leading `+`; 4 to 20 digits (E.164 has at most 15, extensions add a few). Not
/// reformatted: the shop shows it as given.
pub fn clean_phone(phone: &str) -> Result<Option<String>, &'static str> {
    let phone = phone.trim();
    if phone.is_empty() {
        return Ok(None);
    }
    if phone.chars().count() > MAX_PHONE_LEN {
        return Err("a phone number has at most 32 characters");
    }
    let body = phone.strip_prefix('+').unwrap_or(phone);
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
    {
        return Err("use digits, spaces, - . ( ) and a leading + only");
    }
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if !(4..=20).contains(&digits) {
        return Err("a phone number has 4 to 20 digits");
    }
    Ok(Some(phone.to_owned()))
}

/// Applies `change` to `account`, or returns every refused field.
pub async fn update(
    writer: &Writer,
    account: Uuid,
    change: ProfileChange,
) -> ApiResult<Result<customer::Model, Vec<UserError>>> {
    let mut errors = Vec::new();
    let first_name = change
        .first_name
        .map(|name| clean_name(name, "firstName", &mut errors));
    let last_name = change
        .last_name
        .map(|name| clean_name(name, "lastName", &mut errors));
    let phone = change.phone.map(|phone| {
        clean_phone(phone.as_deref().unwrap_or_default()).unwrap_or_else(|problem| {
            errors.push(UserError::new(
                &["input", "phone"],
                ErrorCode::Invalid,
                problem,
            ));
            None
        })
    });
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let write = writer.begin().await?;
    let Some(current) = customer::Entity::find_by_id(account)
        .one(write.txn())
        .await?
    else {
        return Err(ApiError::Unauthenticated);
    };
    let mut row = current.into_active_model();
    if let Some(first_name) = first_name {
        row.first_name = Set(first_name);
    }
    if let Some(last_name) = last_name {
        row.last_name = Set(last_name);
    }
    if let Some(phone) = phone {
        row.phone = Set(phone);
    }
    if let Some(accepts) = change.accepts_marketing {
        row.accepts_marketing = Set(accepts);
    }
    row.updated_at = Set(now());
    let updated = row.update(write.txn()).await?;
    write.commit().await?;
    Ok(Ok(updated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_as_typed_are_kept_and_junk_is_refused() {
        assert_eq!(
            clean_phone(" +1 (555) 010-2030 "),
            Ok(Some("+1 (555) 010-2030".to_owned()))
        );
        assert_eq!(clean_phone("  "), Ok(None));
        for bad in ["12", "+1 555 abc", "1+555", &"1".repeat(33), "<script>"] {
            assert!(clean_phone(bad).is_err(), "{bad}");
        }
    }
}
