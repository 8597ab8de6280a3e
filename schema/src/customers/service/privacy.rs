//! The customer's data rights: a copy of everything stored about them
//! (`customerDataExport`), and erasure (`customerDelete`).
//!
//! Each context that owns a table gives its own part through its own function (orders,
//! carts, inventory's back-in-stock subscriptions, mail, webhooks, the outbox); this module
//! reads or erases the customers tables and assembles the rest.
//!
//! Deletion runs in one unit of work: either everything below happens or nothing does.
//! - **Erased:** the account row, its addresses, refresh tokens and reset tokens; its carts
//!   (and the email and addresses of guest carts carrying its email); back-in-stock
//!   subscriptions of the account or email; mails queued or sent to the email and its
//!   unsubscribe record; the person's strings (email, names, phone, address lines) inside
//!   webhook bodies, outbox payloads, order history and audit events that mention them.
//! - **Kept, anonymised:** orders (with guest orders placed with the email), for the books:
//!   totals, lines, payments, refunds and shipments unchanged; no customer, email
//!   `erased@invalid`, no addresses.
//! - Every session ends (recorded before the refresh tokens go). The email can register
//!   again. A staff member's account is refused: staff are deactivated, not deleted.

use super::addresses;
use super::refresh_tokens::end_sessions;
use crate::common::clock::now;
use crate::common::redact;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::access::{self, Standing};
use crate::customers::events::{EndReason, SessionRevoked};
use crate::customers::passwords;
use crate::error::{ApiError, ApiResult};
use crate::unit_of_work::Writer;
use crate::{carts, events, inventory, notifications, orders, webhooks};
use entities::json::MailingAddress;
use entities::{customer, password_reset_token, refresh_token};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Everything stored about `account`, as one JSON document.
pub async fn export(db: &impl ConnectionTrait, account: Uuid) -> ApiResult<Value> {
    let Some(person) = customer::Entity::find_by_id(account).one(db).await? else {
        return Err(ApiError::Unauthenticated);
    };
    let email = person.email.clone();
    let is_staff = access::standing(db, account).await? != Standing::Customer;
    Ok(json!({
        "generatedAt": now(),
        "profile": {
            "id": person.id,
            "email": person.email,
            "firstName": person.first_name,
            "lastName": person.last_name,
            "phone": person.phone,
            "acceptsMarketing": person.accepts_marketing,
            "isStaff": is_staff,
            "createdAt": person.created_at,
            "updatedAt": person.updated_at,
        },
        "addresses": addresses::list(db, account).await?,
        "orders": orders::service::privacy::export_customer(db, account).await?,
        "carts": carts::service::privacy::export_customer(db, account).await?,
        "sessions": sessions(db, account).await?,
        "backInStockSubscriptions":
            inventory::service::privacy::export_customer(db, account, &email).await?,
        "marketingMailUnsubscribed":
            notifications::service::privacy::export_address(db, &email).await?,
    }))
}

/// The account's sessions (refresh-token families): when each began, until when it could
/// be continued, when it was ended. Token hashes are never shown.
async fn sessions(db: &impl ConnectionTrait, account: Uuid) -> ApiResult<Value> {
    let tokens = refresh_token::Entity::find()
        .filter(refresh_token::Column::CustomerId.eq(account))
        .order_by_asc(refresh_token::Column::CreatedAt)
        .all(db)
        .await?;
    let mut families: BTreeMap<Uuid, Value> = BTreeMap::new();
    for token in tokens {
        let entry = families
            .entry(token.family_id)
            .or_insert_with(|| json!({ "id": token.family_id, "createdAt": token.created_at }));
        entry["lastUsedAt"] = json!(token.created_at);
        entry["expiresAt"] = json!(token.expires_at);
        entry["revokedAt"] = json!(token.revoked_at);
    }
    Ok(Value::Array(families.into_values().collect()))
}

fn address_strings(address: &MailingAddress) -> Vec<String> {
    [
        address.first_name.clone(),
        address.last_name.clone(),
        Some(address.address1.clone()),
        address.address2.clone(),
        address.phone.clone(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The person's strings to erase from free text: profile, and every address of theirs
/// (address book, orders, carts; the latter two read through their contexts' functions).
fn person_strings(person: &customer::Model, book: &[MailingAddress]) -> Vec<String> {
    let mut strings = vec![person.email.clone()];
    strings.extend(person.first_name.clone());
    strings.extend(person.last_name.clone());
    strings.extend(person.phone.clone());
    for address in book {
        strings.extend(address_strings(address));
    }
    strings
}

fn wrong_password() -> Vec<UserError> {
    vec![UserError::new(
        &["password"],
        ErrorCode::InvalidCredentials,
        "the password is incorrect",
    )]
}

/// Deletes `account` as the module comment says, after checking `password`. Apply the
/// returned event after the commit.
pub async fn delete(
    writer: &Writer,
    account: Uuid,
    password: String,
) -> ApiResult<Result<SessionRevoked, Vec<UserError>>> {
    let Some(person) = customer::Entity::find_by_id(account)
        .one(writer.db())
        .await?
    else {
        return Err(ApiError::Unauthenticated);
    };
    let fits = password.len() <= passwords::MAX_PASSWORD_LEN * 4;
    if !(fits && passwords::verify(password, Some(person.password_hash.clone())).await) {
        return Ok(Err(wrong_password()));
    }
    // Any staff membership, active or not: staff leave by deactivation, and the audit log
    // must keep naming them.
    if access::standing(writer.db(), account).await? != Standing::Customer {
        return Ok(Err(vec![UserError::new(
            &[],
            ErrorCode::NotAllowed,
            "a staff account cannot be deleted by its holder; an administrator deactivates it",
        )]));
    }
    let mut write = writer.begin().await?;
    // Read again inside the unit: what is erased is what is stored at the commit.
    let Some(person) = customer::Entity::find_by_id(account)
        .one(write.txn())
        .await?
    else {
        return Err(ApiError::Unauthenticated);
    };
    let email = person.email.clone();
    let mut book: Vec<MailingAddress> = addresses::list(write.txn(), account)
        .await?
        .into_iter()
        .map(|a| a.address)
        .collect();
    book.extend(orders::service::privacy::addresses_of(write.txn(), account, &email).await?);
    book.extend(carts::service::privacy::addresses_of(write.txn(), account, &email).await?);
    let needles = redact::needles(person_strings(&person, &book).iter().map(String::as_str));
    let ended = end_sessions(&mut write, account, None, EndReason::AccountDeleted).await?;
    let order_ids =
        orders::service::privacy::anonymise_customer(&mut write, account, &email, &needles).await?;
    let mut markers = vec![account.to_string(), email.clone()];
    markers.extend(order_ids.iter().map(Uuid::to_string));
    webhooks::service::privacy::redact_deliveries(&mut write, &markers, &needles).await?;
    events::outbox::redact(write.txn(), &markers, &needles).await?;
    crate::audit::service::privacy::redact_changes(&write, &markers, &needles).await?;
    carts::service::privacy::erase_customer(&mut write, account, &email).await?;
    inventory::service::privacy::erase_customer(&mut write, account, &email).await?;
    notifications::service::privacy::erase_address(&mut write, &email).await?;
    let txn = write.txn();
    password_reset_token::Entity::delete_many()
        .filter(password_reset_token::Column::CustomerId.eq(account))
        .exec(txn)
        .await?;
    refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::CustomerId.eq(account))
        .exec(txn)
        .await?;
    // Addresses go with the row (ON DELETE CASCADE).
    customer::Entity::delete_by_id(account).exec(txn).await?;
    write.commit().await?;
    Ok(Ok(ended))
}
