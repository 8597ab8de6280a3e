//! Pages for staff: a handle, a title, an HTML body (sanitised before it is stored: see
//! `crate::common::html`), a summary, SEO fields and whether shoppers see it.

use super::{TITLE_LEN, clean_handle, invalid};
use crate::common::clock::now;
use crate::common::html;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::content::events::ContentKind;
use crate::error::ApiResult;
use crate::unit_of_work::{Write, Writer};
use entities::page;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// Largest body staff may send, before sanitising: a long legal page is well under this,
/// and every shopper's page view carries it.
pub const MAX_BODY_BYTES: usize = 512 * 1024;
pub const SUMMARY_LEN: usize = 1000;
pub const SEO_TITLE_LEN: usize = 255;
pub const SEO_DESCRIPTION_LEN: usize = 1000;

/// A page as staff describe it; on update, `None` keeps a field. A blank summary or SEO
/// field clears it.
#[derive(Clone, Debug, Default)]
pub struct PageSpec {
    pub handle: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub summary: Option<String>,
    /// (title, description): given together, as the `seo` input object.
    pub seo: Option<(Option<String>, Option<String>)>,
    pub published: Option<bool>,
}

pub type PageOutcome = Result<page::Model, Vec<UserError>>;

#[derive(Default)]
struct CleanSpec {
    handle: Option<String>,
    title: Option<String>,
    body: Option<String>,
    summary: Option<Option<String>>,
    seo: Option<(Option<String>, Option<String>)>,
    published: Option<bool>,
}

fn not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no page with this id")
}

fn taken() -> UserError {
    UserError::new(
        &["input", "handle"],
        ErrorCode::Taken,
        "another page has this handle",
    )
}

/// `result`'s value, or `None` with the problem added to `errors` at `path`.
fn field<T>(
    errors: &mut Vec<UserError>,
    path: &[&str],
    result: Result<T, text::TextProblem>,
) -> Option<T> {
    result
        .map_err(|problem| errors.push(invalid(path, problem.to_string())))
        .ok()
}

fn clean(spec: PageSpec) -> Result<CleanSpec, Vec<UserError>> {
    let mut errors = Vec::new();
    let title = spec.title.and_then(|t| {
        field(
            &mut errors,
            &["input", "title"],
            text::required_line(&t, TITLE_LEN),
        )
    });
    let summary = spec.summary.and_then(|s| {
        field(
            &mut errors,
            &["input", "summary"],
            text::optional_block(Some(&s), SUMMARY_LEN),
        )
    });
    let seo = spec.seo.and_then(|(title, description)| {
        let title = field(
            &mut errors,
            &["input", "seo", "title"],
            text::optional_line(title.as_deref(), SEO_TITLE_LEN),
        );
        let description = field(
            &mut errors,
            &["input", "seo", "description"],
            text::optional_block(description.as_deref(), SEO_DESCRIPTION_LEN),
        );
        Some((title?, description?))
    });
    let handle = spec
        .handle
        .and_then(|h| clean_handle(&h).map_err(|e| errors.push(e)).ok());
    let body = spec.body.and_then(|body| {
        if body.len() > MAX_BODY_BYTES {
            errors.push(invalid(
                &["input", "body"],
                format!("use at most {} KiB of HTML", MAX_BODY_BYTES / 1024),
            ));
            None
        } else if text::has_nul(&body) {
            errors.push(invalid(
                &["input", "body"],
                "must not contain NUL characters",
            ));
            None
        } else {
            Some(html::sanitise(&body))
        }
    });
    if errors.is_empty() {
        Ok(CleanSpec {
            handle,
            title,
            body,
            summary,
            seo,
            published: spec.published,
        })
    } else {
        Err(errors)
    }
}

async fn handle_taken(write: &Write, handle: &str, except: Option<Uuid>) -> ApiResult<bool> {
    let mut query = page::Entity::find().filter(page::Column::Handle.eq(handle));
    if let Some(id) = except {
        query = query.filter(page::Column::Id.ne(id));
    }
    Ok(query.one(write.txn()).await?.is_some())
}

pub async fn create(writer: &Writer, spec: PageSpec) -> ApiResult<PageOutcome> {
    let mut errors = Vec::new();
    if spec.handle.is_none() {
        errors.push(invalid(&["input", "handle"], "give the page a handle"));
    }
    if spec.title.is_none() {
        errors.push(invalid(&["input", "title"], "give the page a title"));
    }
    let spec = match clean(spec) {
        Ok(spec) if errors.is_empty() => spec,
        Ok(_) => return Ok(Err(errors)),
        Err(mut found) => {
            errors.append(&mut found);
            return Ok(Err(errors));
        }
    };
    let (Some(handle), Some(title)) = (spec.handle, spec.title) else {
        return Ok(Err(vec![invalid(&["input"], "give a handle and a title")]));
    };
    let mut write = writer.begin().await?;
    if handle_taken(&write, &handle, None).await? {
        return Ok(Err(vec![taken()]));
    }
    let at = now();
    let (seo_title, seo_description) = spec.seo.unwrap_or_default();
    let page = page::ActiveModel {
        id: Set(Uuid::now_v7()),
        handle: Set(handle),
        title: Set(title),
        body_html: Set(spec.body.unwrap_or_default()),
        summary: Set(spec.summary.flatten()),
        seo_title: Set(seo_title),
        seo_description: Set(seo_description),
        published: Set(spec.published.unwrap_or(true)),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(write.txn())
    .await?;
    write.audit_target("Page", page.id);
    write.audit_change(None, Some(&page));
    super::changed(&mut write, ContentKind::Page, page.id, &page.handle);
    write.commit().await?;
    Ok(Ok(page))
}

pub async fn update(writer: &Writer, id: Uuid, spec: PageSpec) -> ApiResult<PageOutcome> {
    let spec = match clean(spec) {
        Ok(spec) => spec,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut write = writer.begin().await?;
    let Some(page) = page::Entity::find_by_id(id).one(write.txn()).await? else {
        return Ok(Err(vec![not_found()]));
    };
    if let Some(handle) = &spec.handle
        && handle_taken(&write, handle, Some(id)).await?
    {
        return Ok(Err(vec![taken()]));
    }
    let before = page.clone();
    let mut active = page.into_active_model();
    if let Some(handle) = spec.handle {
        active.handle = Set(handle);
    }
    if let Some(title) = spec.title {
        active.title = Set(title);
    }
    if let Some(body) = spec.body {
        active.body_html = Set(body);
    }
    if let Some(summary) = spec.summary {
        active.summary = Set(summary);
    }
    if let Some((title, description)) = spec.seo {
        active.seo_title = Set(title);
        active.seo_description = Set(description);
    }
    if let Some(published) = spec.published {
        active.published = Set(published);
    }
    active.updated_at = Set(now());
    let page = active.update(write.txn()).await?;
    write.audit_target("Page", id);
    write.audit_change(Some(&before), Some(&page));
    super::changed(&mut write, ContentKind::Page, id, &before.handle);
    write.commit().await?;
    Ok(Ok(page))
}

pub async fn delete(writer: &Writer, id: Uuid) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let mut write = writer.begin().await?;
    let Some(before) = page::Entity::find_by_id(id).one(write.txn()).await? else {
        return Ok(Err(vec![not_found()]));
    };
    page::Entity::delete_by_id(id).exec(write.txn()).await?;
    write.audit_target("Page", id);
    write.audit_change(Some(&before), None);
    super::changed(&mut write, ContentKind::Page, id, &before.handle);
    write.commit().await?;
    Ok(Ok(id))
}

/// The page with this handle; unpublished ones only when `unpublished_too`.
pub async fn by_handle(
    db: &impl ConnectionTrait,
    handle: &str,
    unpublished_too: bool,
) -> ApiResult<Option<page::Model>> {
    if text::has_nul(handle) {
        return Ok(None);
    }
    let mut query = page::Entity::find().filter(page::Column::Handle.eq(handle));
    if !unpublished_too {
        query = query.filter(page::Column::Published.eq(true));
    }
    Ok(query.one(db).await?)
}

/// Up to `first` pages after the handle `after`, by handle, and whether more follow.
pub async fn list(
    db: &impl ConnectionTrait,
    first: u64,
    after: Option<&str>,
    unpublished_too: bool,
) -> ApiResult<(Vec<page::Model>, bool)> {
    let mut query = page::Entity::find().order_by_asc(page::Column::Handle);
    if let Some(after) = after.filter(|a| !text::has_nul(a)) {
        query = query.filter(page::Column::Handle.gt(after));
    }
    if !unpublished_too {
        query = query.filter(page::Column::Published.eq(true));
    }
    let mut pages = query.limit(first + 1).all(db).await?;
    let more = pages.len() as u64 > first;
    pages.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((pages, more))
}
