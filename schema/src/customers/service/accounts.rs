//! Registration and sign-in.

use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::auth::Permission;
use crate::customers::passwords;
use crate::error::{ApiError, ApiResult, is_unique_violation};
use chrono::Utc;
use entities::{customer, staff_role};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Longest accepted email address (RFC 5321 path limit).
const MAX_EMAIL_LEN: usize = 254;
const MAX_NAME_LEN: usize = 128;

/// What a new customer gives.
#[derive(Clone, Debug)]
pub struct Registration {
    pub email: String,
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// Emails are compared trimmed and lower-cased, so `Jane@Example.com ` and `jane@example.com`
/// are one account.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A deliberately simple check: one `@`, a non-empty local part, a dotted domain, no spaces
/// or control characters. Deliverability is the business of a confirmation email.
pub(crate) fn email_problem(email: &str) -> Option<&'static str> {
    if email.len() > MAX_EMAIL_LEN {
        return Some("the email address is too long");
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    (!valid).then_some("enter a valid email address")
}

fn clean_name(
    name: Option<String>,
    field: &'static str,
    errors: &mut Vec<UserError>,
) -> Option<String> {
    text::optional_line(name.as_deref(), MAX_NAME_LEN).unwrap_or_else(|problem| {
        let field = ["input", field];
        errors.push(UserError::new(
            &field,
            ErrorCode::Invalid,
            problem.to_string(),
        ));
        None
    })
}

/// Creates a customer account. Returns the user errors instead when the input is refused.
pub async fn register(
    db: &impl ConnectionTrait,
    input: Registration,
) -> ApiResult<Result<customer::Model, Vec<UserError>>> {
    let email = normalise_email(&input.email);
    let mut errors = Vec::new();
    if let Some(problem) = email_problem(&email) {
        errors.push(UserError::new(
            &["input", "email"],
            ErrorCode::Invalid,
            problem,
        ));
    }
    if let Some(problem) = passwords::weakness(&input.password, &email) {
        errors.push(UserError::new(
            &["input", "password"],
            ErrorCode::Invalid,
            problem,
        ));
    }
    let first_name = clean_name(input.first_name, "firstName", &mut errors);
    let last_name = clean_name(input.last_name, "lastName", &mut errors);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let taken = || {
        Ok(Err(vec![UserError::new(
            &["input", "email"],
            ErrorCode::Taken,
            "an account with this email already exists",
        )]))
    };
    if customer::Entity::find()
        .filter(customer::Column::Email.eq(&email))
        .one(db)
        .await?
        .is_some()
    {
        return taken();
    }
    let password_hash = passwords::hash(input.password)
        .await
        .map_err(ApiError::Internal)?;
    let now = Utc::now();
    let account = customer::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        password_hash: Set(password_hash),
        first_name: Set(first_name),
        last_name: Set(last_name),
        staff_role_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match account.insert(db).await {
        Ok(model) => Ok(Ok(model)),
        // Two registrations racing for one email: the unique index decides.
        Err(err) if is_unique_violation(&err) => taken(),
        Err(err) => Err(err.into()),
    }
}

/// The account for `email` and `password`, or `None`. Takes as long for an unknown email as
/// for a wrong password, so the answer does not tell which emails have accounts.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: String,
) -> ApiResult<Option<customer::Model>> {
    let email = normalise_email(email);
    if password.len() > passwords::MAX_PASSWORD_LEN * 4 {
        return Ok(None);
    }
    // No account's email holds a NUL, and PostgreSQL refuses one in a query (an internal
    // error). The password is still checked below, against the throw-away hash, so the
    // answer takes as long as any other.
    let account = if text::has_nul(&email) {
        None
    } else {
        customer::Entity::find()
            .filter(customer::Column::Email.eq(email))
            .one(db)
            .await?
    };
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let matches = passwords::verify(password, stored).await;
    Ok(account.filter(|_| matches))
}

/// The permissions of a staff member (`None` for customers).
pub async fn staff_permissions(
    db: &impl ConnectionTrait,
    account: &customer::Model,
) -> ApiResult<Option<BTreeSet<Permission>>> {
    let Some(role_id) = account.staff_role_id else {
        return Ok(None);
    };
    let role = staff_role::Entity::find_by_id(role_id).one(db).await?;
    Ok(Some(
        role.map(|r| Permission::parse_list(&r.permissions))
            .unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalise_email("  Jane.Doe@Example.COM "),
            "jane.doe@example.com"
        );
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "jane doe@example.com",
            "a@b@c.com",
            "jane@.com",
        ] {
            assert!(email_problem(bad).is_some(), "{bad:?} should be refused");
        }
        assert!(email_problem("jane+shop@mail.example.co.uk").is_none());
    }
}
