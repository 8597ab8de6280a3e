//! Registration and sign-in.

use crate::common::email::{self, EmailProblem};
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::auth::Permission;
use crate::customers::events::CustomerCreated;
use crate::customers::passwords;
use crate::error::{ApiError, ApiResult, is_unique_violation};
use crate::events::DomainEvent;
use crate::unit_of_work::Writer;
use chrono::Utc;
use entities::customer;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The longest first or last name (the columns' width).
pub const MAX_NAME_LEN: usize = 128;

/// What a new customer gives.
#[derive(Clone, Debug)]
pub struct Registration {
    pub email: String,
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// The user error for an email address `email::normalise` refused, at `field`.
pub fn email_error(field: &[&str], problem: EmailProblem) -> UserError {
    UserError::new(field, ErrorCode::Invalid, problem.to_string())
}

/// A first or last name as `input.<field>` (trimmed, one line, at most `MAX_NAME_LEN`);
/// what is wrong goes to `errors`.
pub fn clean_name(
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
    writer: &Writer,
    input: Registration,
) -> ApiResult<Result<customer::Model, Vec<UserError>>> {
    let mut errors = Vec::new();
    let email = email::normalise(&input.email).unwrap_or_else(|problem| {
        errors.push(email_error(&["input", "email"], problem));
        String::new()
    });
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
        .one(writer.db())
        .await?
        .is_some()
    {
        return taken();
    }
    let password_hash = passwords::hash(input.password)
        .await
        .map_err(ApiError::Internal)?;
    let account = new_account(email, password_hash, first_name, last_name);
    // The unit begins after the hash, so the write lock is not held for the hash's time.
    let mut write = writer.begin().await?;
    match account.insert(write.txn()).await {
        Ok(model) => {
            write.record(DomainEvent::CustomerCreated(CustomerCreated {
                event_id: Uuid::now_v7(),
                customer_id: model.id,
                email: model.email.clone(),
                first_name: model.first_name.clone(),
                last_name: model.last_name.clone(),
                occurred_at: model.created_at,
            }));
            write.commit().await?;
            Ok(Ok(model))
        }
        // Two registrations racing for one email: the unique index decides.
        Err(err) if is_unique_violation(&err) => taken(),
        Err(err) => Err(err.into()),
    }
}

/// A new account row, created now: no phone, no marketing mail, not on the staff (that is a
/// `staff_members` row; the old `staff_role_id` column stays empty).
pub fn new_account(
    email: String,
    password_hash: String,
    first_name: Option<String>,
    last_name: Option<String>,
) -> customer::ActiveModel {
    let now = Utc::now();
    customer::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        password_hash: Set(password_hash),
        first_name: Set(first_name),
        last_name: Set(last_name),
        staff_role_id: Set(None),
        phone: Set(None),
        accepts_marketing: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// What a sign-in attempt comes to.
pub enum SignIn {
    Account(customer::Model),
    /// Wrong email or password (the answer does not say which).
    Refused,
    /// The email is not an address `email::normalise` accepts: said at once, as it tells
    /// nothing about which accounts exist.
    BadEmail(EmailProblem),
}

/// The account for `email` and `password`. Takes as long for an unknown email as for a
/// wrong password, so the answer does not tell which emails have accounts.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: String,
) -> ApiResult<SignIn> {
    let email = match email::normalise(email) {
        Ok(email) => email,
        Err(problem) => return Ok(SignIn::BadEmail(problem)),
    };
    if password.len() > passwords::MAX_PASSWORD_LEN * 4 {
        return Ok(SignIn::Refused);
    }
    let account = customer::Entity::find()
        .filter(customer::Column::Email.eq(email))
        .one(db)
        .await?;
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let matches = passwords::verify(password, stored).await;
    Ok(match account.filter(|_| matches) {
        Some(account) => SignIn::Account(account),
        None => SignIn::Refused,
    })
}

/// The permissions of an ACTIVE staff member: the union of their roles' (`None` for
/// customers, and for staff who are INVITED or DEACTIVATED).
pub async fn staff_permissions(
    db: &impl ConnectionTrait,
    account: &customer::Model,
) -> ApiResult<Option<BTreeSet<Permission>>> {
    Ok(crate::customers::access::standing(db, account.id)
        .await?
        .permissions())
}

/// The email of `account`, if it exists: what other contexts address a signed-in customer
/// by (checkout's receipt, back-in-stock notices).
pub async fn email_of(db: &impl ConnectionTrait, account: Uuid) -> ApiResult<Option<String>> {
    Ok(customer::Entity::find_by_id(account)
        .one(db)
        .await?
        .map(|c| c.email))
}
