//! Webhooks for staff: what a valid one is, and creating, changing, deleting and re-keying
//! them. The URL is checked against the SSRF rules (`target`) before any transaction opens
//! (a DNS lookup must not hold one). The secret is made here and handed back once; the API
//! never reads it again.

use super::MAX_WEBHOOKS;
use super::secret;
use super::target::TargetRules;
use crate::common::clock::now;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::unit_of_work::Writer;
use crate::webhooks::topics::WebhookTopic;
use entities::json::StringList;
use entities::webhook::Secret;
use entities::{webhook, webhook_delivery};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// Longest description (a note for staff: which system listens there).
pub const DESCRIPTION_LEN: usize = 255;

/// A webhook as staff describe it; on update, `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct WebhookSpec {
    pub url: Option<String>,
    pub topics: Option<Vec<WebhookTopic>>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
    pub active: Option<bool>,
}

pub type Outcome<T> = ApiResult<Result<T, Vec<UserError>>>;

fn invalid(field: &str, message: impl Into<String>) -> UserError {
    UserError::new(&["input", field], ErrorCode::Invalid, message)
}

fn not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no webhook with this id")
}

/// The spec with its values cleaned, or every problem with it.
async fn clean(spec: WebhookSpec, rules: &TargetRules) -> Result<WebhookSpec, Vec<UserError>> {
    let mut errors = Vec::new();
    let url = match spec.url {
        Some(url) => match rules.check(&url).await {
            Ok(url) => Some(url.to_string()),
            Err(problem) => {
                errors.push(invalid("url", problem.to_string()));
                None
            }
        },
        None => None,
    };
    let topics = spec.topics.and_then(|topics| {
        let mut unique: Vec<WebhookTopic> = Vec::new();
        for topic in topics {
            if !unique.contains(&topic) {
                unique.push(topic);
            }
        }
        if unique.is_empty() {
            errors.push(invalid("topics", "subscribe to at least one topic"));
            return None;
        }
        unique.sort();
        Some(unique)
    });
    let description = spec.description.map(|description| {
        text::optional_line(description.as_deref(), DESCRIPTION_LEN)
            .map_err(|problem| errors.push(invalid("description", problem.to_string())))
            .ok()
            .flatten()
    });
    if errors.is_empty() {
        Ok(WebhookSpec {
            url,
            topics,
            description,
            active: spec.active,
        })
    } else {
        Err(errors)
    }
}

fn names(topics: &[WebhookTopic]) -> StringList {
    StringList(topics.iter().map(|t| t.as_str().to_owned()).collect())
}

/// Creates a webhook (active unless said otherwise) with a new secret, returned beside it:
/// the only time anyone sees it.
pub async fn create(
    writer: &Writer,
    rules: &TargetRules,
    spec: WebhookSpec,
) -> Outcome<(webhook::Model, Secret)> {
    let spec = match clean(spec, rules).await {
        Ok(spec) => spec,
        Err(errors) => return Ok(Err(errors)),
    };
    let (Some(url), Some(topics)) = (spec.url, spec.topics) else {
        return Ok(Err(vec![invalid("url", "give a URL and topics")]));
    };
    let secret = secret::generate()?;
    let write = writer.begin().await?;
    if webhook::Entity::find().count(write.txn()).await? >= MAX_WEBHOOKS {
        return Ok(Err(vec![UserError::new(
            &["input"],
            ErrorCode::Invalid,
            format!("at most {MAX_WEBHOOKS} webhooks; subscribe an existing one to more topics"),
        )]));
    }
    let at = now();
    let webhook = webhook::ActiveModel {
        id: Set(Uuid::now_v7()),
        url: Set(url),
        topics: Set(names(&topics)),
        description: Set(spec.description.flatten()),
        active: Set(spec.active.unwrap_or(true)),
        secret: Set(secret.clone()),
        consecutive_failures: Set(0),
        disabled_reason: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(write.txn())
    .await?;
    write.audit_target("Webhook", webhook.id);
    write.audit_change(None, Some(&webhook));
    write.commit().await?;
    Ok(Ok((webhook, secret)))
}

/// Changes a webhook. Switching it on starts its failure count afresh, and its deliveries
/// that waited while it was off are sent.
pub async fn update(
    writer: &Writer,
    rules: &TargetRules,
    id: Uuid,
    spec: WebhookSpec,
) -> Outcome<webhook::Model> {
    let spec = match clean(spec, rules).await {
        Ok(spec) => spec,
        Err(errors) => return Ok(Err(errors)),
    };
    let write = writer.begin().await?;
    let Some(current) = find_locked(write.txn(), id).await? else {
        return Ok(Err(vec![not_found()]));
    };
    let before = current.clone();
    let mut row = current.into_active_model();
    if let Some(url) = spec.url {
        row.url = Set(url);
    }
    if let Some(topics) = spec.topics {
        row.topics = Set(names(&topics));
    }
    if let Some(description) = spec.description {
        row.description = Set(description);
    }
    if let Some(active) = spec.active {
        row.active = Set(active);
        // On: a fresh start. Off: staff's decision, no reason to show.
        row.consecutive_failures = Set(0);
        row.disabled_reason = Set(None);
    }
    row.updated_at = Set(now());
    let webhook = row.update(write.txn()).await?;
    write.audit_target("Webhook", webhook.id);
    write.audit_change(Some(&before), Some(&webhook));
    write.commit().await?;
    Ok(Ok(webhook))
}

/// Deletes a webhook with its deliveries; nothing more is sent to it.
pub async fn delete(writer: &Writer, id: Uuid) -> Outcome<Uuid> {
    let write = writer.begin().await?;
    let before = webhook::Entity::find_by_id(id).one(write.txn()).await?;
    // Explicitly, not only by the foreign key's cascade: SQLite enforces that per connection.
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .exec(write.txn())
        .await?;
    let deleted = webhook::Entity::delete_by_id(id).exec(write.txn()).await?;
    if deleted.rows_affected == 0 {
        return Ok(Err(vec![not_found()]));
    }
    write.audit_target("Webhook", id);
    write.audit_change(before.as_ref(), None);
    write.commit().await?;
    Ok(Ok(id))
}

/// Replaces the secret: every attempt from now on, retries of older messages included, is
/// signed with the new one, returned beside the webhook (shown this once).
pub async fn rotate_secret(writer: &Writer, id: Uuid) -> Outcome<(webhook::Model, Secret)> {
    let secret = secret::generate()?;
    let write = writer.begin().await?;
    let Some(current) = find_locked(write.txn(), id).await? else {
        return Ok(Err(vec![not_found()]));
    };
    let mut row = current.into_active_model();
    row.secret = Set(secret.clone());
    row.updated_at = Set(now());
    let webhook = row.update(write.txn()).await?;
    // `Secret` serialises as a mask, so a diff of the rows would show nothing: name the
    // change instead. The log redacts secret fields' values whatever they are.
    write.audit_target("Webhook", webhook.id);
    let secret_changed = |which: &str| serde_json::json!({ "secret": which });
    write.audit_change(Some(&secret_changed("old")), Some(&secret_changed("new")));
    write.commit().await?;
    Ok(Ok((webhook, secret)))
}

/// Every webhook, oldest first.
pub async fn list(db: &impl ConnectionTrait) -> ApiResult<Vec<webhook::Model>> {
    Ok(webhook::Entity::find()
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?)
}

/// The webhook, locked for the change (PostgreSQL; SQLite's writer holds the database).
async fn find_locked(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<webhook::Model>> {
    use sea_orm::QuerySelect;
    Ok(webhook::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?)
}
