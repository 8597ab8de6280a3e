//! Staff changes to collections' own fields: create, update, delete. Membership lives in
//! `collection_members`.
//!
//! Every problem with the input is collected before anything is written, so a refusal reports
//! all the bad fields at once and stores nothing. Each change records a catalog event (cached
//! answers showing collections are dropped) and tells the audit log what changed.

use crate::catalog::events::CatalogChange;
use crate::common::clock::now;
use crate::common::slug::{MAX_SLUG_LEN, NO_SLUG_FROM_NAME, is_valid_slug, slugify};
use crate::common::text::{self, MAX_DESCRIPTION_LEN};
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use crate::events::DomainEvent;
use crate::unit_of_work::Writer;
use entities::collection;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

/// Longest title and image alt text (the columns are `varchar(255)`).
pub const MAX_TITLE_LEN: usize = 255;
/// Longest SEO title and description (the columns).
pub const MAX_SEO_TITLE_LEN: usize = 255;
pub const MAX_SEO_DESCRIPTION_LEN: usize = 1000;
/// Longest image URL: what browsers and CDNs reliably accept.
pub const MAX_URL_LEN: usize = 2048;

/// An image as staff give it.
#[derive(Clone, Debug, Default)]
pub struct ImageFields {
    pub url: String,
    pub alt_text: Option<String>,
}

/// SEO overrides as staff give them; blank means none.
#[derive(Clone, Debug, Default)]
pub struct SeoFields {
    pub title: Option<String>,
    pub description: Option<String>,
}

/// What a new collection gives.
#[derive(Clone, Debug, Default)]
pub struct NewCollection {
    pub title: String,
    /// Made from the title when omitted.
    pub handle: Option<String>,
    pub description: Option<String>,
    pub image: Option<ImageFields>,
    pub seo: Option<SeoFields>,
}

/// What an update changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct CollectionChanges {
    pub title: Option<String>,
    pub handle: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    /// `Some(None)` removes the image; `Some(Some(..))` replaces it whole.
    pub image: Option<Option<ImageFields>>,
    /// Replaces both SEO fields (an omitted one is cleared).
    pub seo: Option<SeoFields>,
}

fn invalid(path: &[&str], message: impl Into<String>) -> UserError {
    let mut field = vec!["input"];
    field.extend_from_slice(path);
    UserError::new(&field, ErrorCode::Invalid, message)
}

fn handle_taken() -> UserError {
    UserError::new(
        &["input", "handle"],
        ErrorCode::Taken,
        "another collection already uses this handle",
    )
}

pub(super) fn collection_not_found(field: &str) -> UserError {
    UserError::new(&[field], ErrorCode::NotFound, "no such collection")
}

fn clean_title(title: &str, errors: &mut Vec<UserError>) -> String {
    text::required_line(title, MAX_TITLE_LEN).unwrap_or_else(|problem| {
        errors.push(invalid(&["title"], problem.to_string()));
        title.trim().to_owned()
    })
}

fn check_handle(handle: &str, errors: &mut Vec<UserError>) -> bool {
    let valid = is_valid_slug(handle);
    if !valid {
        errors.push(invalid(
            &["handle"],
            format!(
                "use lower-case letters and digits in words joined by single dashes, at most {MAX_SLUG_LEN} characters"
            ),
        ));
    }
    valid
}

fn clean_description(description: Option<String>, errors: &mut Vec<UserError>) -> Option<String> {
    text::optional_block(description.as_deref(), MAX_DESCRIPTION_LEN).unwrap_or_else(|problem| {
        errors.push(invalid(&["description"], problem.to_string()));
        None
    })
}

/// Whether `url` is an absolute http(s) URL a browser can load: storefronts put it in an
/// `<img src>`, where `javascript:` or a relative path would be wrong or unsafe.
fn is_image_url(url: &str) -> bool {
    url.len() <= MAX_URL_LEN
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && reqwest::Url::parse(url)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// The image's url and alt text, checked.
fn clean_image(image: ImageFields, errors: &mut Vec<UserError>) -> (String, Option<String>) {
    let url = image.url.trim().to_owned();
    if !is_image_url(&url) {
        errors.push(invalid(
            &["image", "url"],
            format!("give an absolute http or https URL of at most {MAX_URL_LEN} characters"),
        ));
    }
    let alt =
        text::optional_line(image.alt_text.as_deref(), MAX_TITLE_LEN).unwrap_or_else(|problem| {
            errors.push(invalid(&["image", "altText"], problem.to_string()));
            None
        });
    (url, alt)
}

fn clean_seo(seo: SeoFields, errors: &mut Vec<UserError>) -> (Option<String>, Option<String>) {
    let title =
        text::optional_line(seo.title.as_deref(), MAX_SEO_TITLE_LEN).unwrap_or_else(|problem| {
            errors.push(invalid(&["seo", "title"], problem.to_string()));
            None
        });
    // A meta description is one line of text.
    let description = text::optional_line(seo.description.as_deref(), MAX_SEO_DESCRIPTION_LEN)
        .unwrap_or_else(|problem| {
            errors.push(invalid(&["seo", "description"], problem.to_string()));
            None
        });
    (title, description)
}

/// Whether a collection other than `except` has `handle`.
async fn handle_in_use(
    db: &impl ConnectionTrait,
    handle: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let mut select = collection::Entity::find().filter(collection::Column::Handle.eq(handle));
    if let Some(id) = except {
        select = select.filter(collection::Column::Id.ne(id));
    }
    Ok(select.count(db).await? > 0)
}

/// Creates a collection (without products). Returns the user errors instead when the input
/// is refused; then nothing is written.
pub async fn create_collection(
    writer: &Writer,
    input: NewCollection,
) -> ApiResult<Result<collection::Model, Vec<UserError>>> {
    let mut errors = Vec::new();
    let title = clean_title(&input.title, &mut errors);
    // A handle made from a refused title is not checked: the title's error says what to fix.
    let (handle, handle_ok) = match input.handle {
        Some(handle) => {
            let handle = handle.trim().to_owned();
            let ok = check_handle(&handle, &mut errors);
            (handle, ok)
        }
        None if !errors.is_empty() => (String::new(), false),
        None => {
            let handle = slugify(&title);
            if handle.is_empty() {
                errors.push(invalid(&["handle"], NO_SLUG_FROM_NAME));
            }
            let ok = !handle.is_empty();
            (handle, ok)
        }
    };
    let description = clean_description(input.description, &mut errors);
    let (image_url, image_alt) = match input.image {
        Some(image) => {
            let (url, alt) = clean_image(image, &mut errors);
            (Some(url), alt)
        }
        None => (None, None),
    };
    let (seo_title, seo_description) = clean_seo(input.seo.unwrap_or_default(), &mut errors);

    let mut write = writer.begin().await?;
    let txn = write.txn();
    if handle_ok && handle_in_use(txn, &handle, None).await? {
        errors.push(handle_taken());
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let now = now();
    let row = collection::ActiveModel {
        id: Set(Uuid::now_v7()),
        handle: Set(handle),
        title: Set(title),
        description: Set(description),
        image_url: Set(image_url),
        image_alt: Set(image_alt),
        seo_title: Set(seo_title),
        seo_description: Set(seo_description),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match row.insert(txn).await {
        Ok(model) => {
            write.record(DomainEvent::CatalogChanged(CatalogChange::collection(
                model.id,
                &model.handle,
            )));
            write.audit_target("Collection", model.id);
            write.audit_change(None, Some(&model));
            write.commit().await?;
            Ok(Ok(model))
        }
        // Two creates racing for one handle: the unique index decides.
        Err(err) if is_unique_violation(&err) => Ok(Err(vec![handle_taken()])),
        Err(err) => Err(err.into()),
    }
}

/// Updates a collection's fields. Returns the user errors instead when the change is refused;
/// then nothing is written.
pub async fn update_collection(
    writer: &Writer,
    id: Uuid,
    changes: CollectionChanges,
) -> ApiResult<Result<collection::Model, Vec<UserError>>> {
    let mut errors = Vec::new();
    let title = changes.title.map(|t| clean_title(&t, &mut errors));
    let handle = changes.handle.map(|h| h.trim().to_owned());
    let handle_ok = handle
        .as_deref()
        .is_none_or(|h| check_handle(h, &mut errors));
    let description = changes
        .description
        .map(|d| clean_description(d, &mut errors));
    let image = changes
        .image
        .map(|image| image.map(|i| clean_image(i, &mut errors)));
    let seo = changes.seo.map(|s| clean_seo(s, &mut errors));

    let mut write = writer.begin().await?;
    let txn = write.txn();
    let Some(current) = collection::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return Ok(Err(vec![collection_not_found("id")]));
    };
    if handle_ok
        && let Some(handle) = &handle
        && handle_in_use(txn, handle, Some(id)).await?
    {
        errors.push(handle_taken());
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let before = current.clone();
    let mut row: collection::ActiveModel = current.into();
    if let Some(title) = title {
        row.title = Set(title);
    }
    if let Some(handle) = handle {
        row.handle = Set(handle);
    }
    if let Some(description) = description {
        row.description = Set(description);
    }
    if let Some(image) = image {
        let (url, alt) = image.map_or((None, None), |(url, alt)| (Some(url), alt));
        row.image_url = Set(url);
        row.image_alt = Set(alt);
    }
    if let Some((seo_title, seo_description)) = seo {
        row.seo_title = Set(seo_title);
        row.seo_description = Set(seo_description);
    }
    row.updated_at = Set(now());
    match row.update(txn).await {
        Ok(model) => {
            write.record(DomainEvent::CatalogChanged(CatalogChange::collection(
                model.id,
                &model.handle,
            )));
            write.audit_target("Collection", model.id);
            write.audit_change(Some(&before), Some(&model));
            write.commit().await?;
            Ok(Ok(model))
        }
        Err(err) if is_unique_violation(&err) => Ok(Err(vec![handle_taken()])),
        Err(err) => Err(err.into()),
    }
}

/// Deletes a collection; its memberships go with it (the foreign key cascades), its products
/// stay.
pub async fn delete_collection(
    writer: &Writer,
    id: Uuid,
) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let mut write = writer.begin().await?;
    let txn = write.txn();
    let Some(deleted) = collection::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return Ok(Err(vec![collection_not_found("id")]));
    };
    collection::Entity::delete_by_id(id).exec(txn).await?;
    write.record(DomainEvent::CatalogChanged(CatalogChange::collection(
        id,
        &deleted.handle,
    )));
    write.audit_target("Collection", id);
    write.audit_change(Some(&deleted), None);
    write.commit().await?;
    Ok(Ok(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_urls_must_be_absolute_http() {
        assert!(is_image_url("https://cdn.example.com/c/summer.jpg"));
        assert!(is_image_url("http://img.example.com/a.png?w=800"));
        for bad in [
            "javascript:alert(1)",
            "/relative.jpg",
            "ftp://example.com/a.jpg",
            "https://exa mple.com/a.jpg",
            "",
        ] {
            assert!(!is_image_url(bad), "{bad}");
        }
        assert!(!is_image_url(&format!(
            "https://example.com/{}",
            "a".repeat(MAX_URL_LEN)
        )));
    }
}
