//! Staff changes to the category tree: create, update (rename, re-slug, move) and delete.
//!
//! Each category keeps a materialised `path` (its ancestors' ids and its own, each followed by
//! `/`). A move rewrites the path of the category and of its whole subtree with one prefix
//! UPDATE, inside the transaction that checks the move, so readers never see a half-moved tree.
//!
//! Concurrency (PostgreSQL, READ COMMITTED): a move locks its subtree (`FOR UPDATE`) before it
//! rewrites it and then the new parent; a create locks its parent (`FOR SHARE`) before reading
//! its path. Whichever comes second waits and then reads the committed state, so a child
//! created during a move never keeps a stale path, and two crossing moves cannot build a cycle
//! (one of them waits for, or deadlocks with and is aborted by, the other). SQLite runs write
//! transactions one at a time (units of work start IMMEDIATE there).

use crate::catalog::events::CatalogChange;
use crate::common::clock::now;
use crate::common::slug::{MAX_SLUG_LEN, NO_SLUG_FROM_NAME, is_valid_slug, slugify};
use crate::common::text::{self, MAX_DESCRIPTION_LEN};
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use crate::events::DomainEvent;
use crate::unit_of_work::Writer;
use chrono::{DateTime, Utc};
use entities::{category, product};
use sea_orm::sea_query::{Alias, BinOper, Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set, SqlErr,
};
use uuid::Uuid;

/// Longest name (the column is `varchar(255)`).
pub const MAX_NAME_LEN: usize = 255;

/// What a new category gives. `parent_id` is already parsed.
#[derive(Clone, Debug, Default)]
pub struct NewCategory {
    pub name: String,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub parent_id: Option<Uuid>,
    pub position: Option<i32>,
}

/// What a category update changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct CategoryChanges {
    pub name: Option<String>,
    pub slug: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    /// `Some(None)` makes the category top-level.
    pub parent_id: Option<Option<Uuid>>,
    pub position: Option<i32>,
}

fn clean_name(name: &str, errors: &mut Vec<UserError>) -> String {
    text::required_line(name, MAX_NAME_LEN).unwrap_or_else(|problem| {
        errors.push(invalid("name", problem.to_string()));
        name.trim().to_owned()
    })
}

fn invalid(field: &str, message: impl Into<String>) -> UserError {
    UserError::new(&["input", field], ErrorCode::Invalid, message)
}

fn check_slug(slug: &str, errors: &mut Vec<UserError>) -> bool {
    let valid = is_valid_slug(slug);
    if !valid {
        errors.push(invalid(
            "slug",
            format!(
                "use lower-case letters and digits in words joined by single dashes, at most {MAX_SLUG_LEN} characters"
            ),
        ));
    }
    valid
}

fn clean_description(description: Option<String>, errors: &mut Vec<UserError>) -> Option<String> {
    text::optional_block(description.as_deref(), MAX_DESCRIPTION_LEN).unwrap_or_else(|problem| {
        errors.push(invalid("description", problem.to_string()));
        None
    })
}

fn slug_taken() -> UserError {
    UserError::new(
        &["input", "slug"],
        ErrorCode::Taken,
        "another category already uses this slug",
    )
}

fn parent_not_found() -> UserError {
    UserError::new(
        &["input", "parentId"],
        ErrorCode::NotFound,
        "no such parent category",
    )
}

fn category_not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no such category")
}

/// Whether a category other than `except` has `slug`.
async fn slug_in_use(
    db: &impl ConnectionTrait,
    slug: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let mut select = category::Entity::find().filter(category::Column::Slug.eq(slug));
    if let Some(id) = except {
        select = select.filter(category::Column::Id.ne(id));
    }
    Ok(select.count(db).await? > 0)
}

/// Creates a category. Returns the user errors instead when the input is refused; then
/// nothing is written.
pub async fn create_category(
    writer: &Writer,
    input: NewCategory,
) -> ApiResult<Result<category::Model, Vec<UserError>>> {
    let mut errors = Vec::new();
    let name = clean_name(&input.name, &mut errors);
    // A slug made from a refused name is not checked: the name's error says what to fix.
    let (slug, slug_ok) = match input.slug {
        Some(slug) => {
            let slug = slug.trim().to_owned();
            let ok = check_slug(&slug, &mut errors);
            (slug, ok)
        }
        None if !errors.is_empty() => (String::new(), false),
        None => {
            let slug = slugify(&name);
            if slug.is_empty() {
                errors.push(invalid("slug", NO_SLUG_FROM_NAME));
            }
            let ok = !slug.is_empty();
            (slug, ok)
        }
    };
    let description = clean_description(input.description, &mut errors);

    let mut write = writer.begin().await?;
    let txn = write.txn();
    if slug_ok && slug_in_use(txn, &slug, None).await? {
        errors.push(slug_taken());
    }
    let parent = match input.parent_id {
        Some(parent_id) => {
            // FOR SHARE: a concurrent move of the parent finishes first (and we read its new
            // path), or waits for this insert (and then rewrites it with the subtree).
            let parent = category::Entity::find_by_id(parent_id)
                .lock_shared()
                .one(txn)
                .await?;
            if parent.is_none() {
                errors.push(parent_not_found());
            }
            parent
        }
        None => None,
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }

    let position = match input.position {
        Some(position) => position,
        None => next_position(txn, parent.as_ref().map(|p| p.id)).await?,
    };
    let id = Uuid::now_v7();
    let path = format!(
        "{}{id}/",
        parent.as_ref().map(|p| p.path.as_str()).unwrap_or("")
    );
    let now = now();
    let row = category::ActiveModel {
        id: Set(id),
        parent_id: Set(parent.map(|p| p.id)),
        slug: Set(slug),
        name: Set(name),
        description: Set(description),
        path: Set(path),
        position: Set(position),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match row.insert(txn).await {
        Ok(model) => {
            // Storefront navigation changed (outgoing webhooks: CATEGORY_UPDATED).
            write.record(DomainEvent::CatalogChanged(CatalogChange::category(
                model.id,
                &model.slug,
                Vec::new(),
            )));
            write.commit().await?;
            Ok(Ok(model))
        }
        // Two creates racing for one slug: the unique index decides.
        Err(err) if is_unique_violation(&err) => Ok(Err(vec![slug_taken()])),
        Err(err) => Err(err.into()),
    }
}

/// One past the largest position among the children of `parent` (top-level when `None`).
async fn next_position(db: &impl ConnectionTrait, parent: Option<Uuid>) -> ApiResult<i32> {
    let mut select = category::Entity::find()
        .select_only()
        .expr(Func::max(Expr::col(category::Column::Position)));
    select = match parent {
        Some(parent) => select.filter(category::Column::ParentId.eq(parent)),
        None => select.filter(category::Column::ParentId.is_null()),
    };
    let max: Option<Option<i32>> = select.into_tuple().one(db).await?;
    Ok(max.flatten().map_or(0, |m| m.saturating_add(1)))
}

/// Updates a category; a changed parent moves it with its subtree. Returns the user errors
/// instead when the change is refused; then nothing is written.
pub async fn update_category(
    writer: &Writer,
    id: Uuid,
    changes: CategoryChanges,
) -> ApiResult<Result<category::Model, Vec<UserError>>> {
    let mut errors = Vec::new();
    let name = changes.name.map(|n| clean_name(&n, &mut errors));
    let slug = changes.slug.map(|s| s.trim().to_owned());
    let slug_ok = slug.as_deref().is_none_or(|s| check_slug(s, &mut errors));
    let description = changes
        .description
        .map(|d| clean_description(d, &mut errors));

    let mut write = writer.begin().await?;
    let txn = write.txn();
    let Some(current) = category::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return Ok(Err(vec![category_not_found()]));
    };
    let before = current.clone();
    if slug_ok
        && let Some(slug) = &slug
        && slug_in_use(txn, slug, Some(id)).await?
    {
        errors.push(slug_taken());
    }

    // The new parent's path, when the category moves.
    let mut new_path = None;
    if let Some(parent_id) = changes.parent_id
        && parent_id != current.parent_id
    {
        // Lock the subtree first, then read the new parent: see the module comment.
        category::Entity::find()
            .select_only()
            .column(category::Column::Id)
            .filter(category::Column::Path.like(format!("{}%", current.path)))
            .lock_exclusive()
            .into_tuple::<Uuid>()
            .all(txn)
            .await?;
        match parent_id {
            None => new_path = Some(format!("{id}/")),
            Some(parent_id) => {
                match category::Entity::find_by_id(parent_id)
                    .lock_exclusive()
                    .one(txn)
                    .await?
                {
                    None => errors.push(parent_not_found()),
                    Some(parent) if parent.path.starts_with(&current.path) => {
                        errors.push(UserError::new(
                            &["input", "parentId"],
                            ErrorCode::Invalid,
                            "a category cannot be moved under itself or one of its descendants",
                        ));
                    }
                    Some(parent) => new_path = Some(format!("{}{id}/", parent.path)),
                }
            }
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }

    let now = now();
    let mut position = changes.position;
    if let Some(new_path) = &new_path {
        rewrite_subtree_paths(txn, &current.path, new_path, now).await?;
        if position.is_none() {
            // A moved category goes after its new siblings unless told otherwise.
            position = Some(next_position(txn, changes.parent_id.flatten()).await?);
        }
    }
    let mut row: category::ActiveModel = current.into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(slug) = slug {
        row.slug = Set(slug);
    }
    if let Some(description) = description {
        row.description = Set(description);
    }
    if let Some(parent_id) = changes.parent_id {
        row.parent_id = Set(parent_id);
    }
    if let Some(path) = new_path {
        row.path = Set(path);
    }
    if let Some(position) = position {
        row.position = Set(position);
    }
    row.updated_at = Set(now);
    match row.update(txn).await {
        Ok(model) => {
            // Names and paths are in the search documents of the subtree's products.
            write.record(DomainEvent::CatalogChanged(CatalogChange::category(
                model.id,
                &model.slug,
                Vec::new(),
            )));
            write.audit_target("Category", model.id);
            write.audit_change(Some(&before), Some(&model));
            write.commit().await?;
            Ok(Ok(model))
        }
        Err(err) if is_unique_violation(&err) => Ok(Err(vec![slug_taken()])),
        Err(err) => Err(err.into()),
    }
}

/// `path = <new_prefix> || SUBSTR(path, <len(old_prefix)> + 1)` for every row under
/// `old_prefix` (the moved category included). Paths are ASCII, so byte and character
/// lengths agree. The prefix holds only hex digits, dashes and slashes: no LIKE wildcards.
async fn rewrite_subtree_paths(
    db: &impl ConnectionTrait,
    old_prefix: &str,
    new_prefix: &str,
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    // i32: PostgreSQL has SUBSTR(text, integer) but no bigint overload.
    let start = i32::try_from(old_prefix.len() + 1)
        .map_err(|_| crate::error::ApiError::Internal("category path too long".into()))?;
    let rest = Func::cust(Alias::new("SUBSTR"))
        .arg(Expr::col(category::Column::Path))
        .arg(start);
    let rewritten = category::Entity::update_many()
        .col_expr(
            category::Column::Path,
            Expr::val(new_prefix.to_owned()).binary(BinOper::Custom("||"), rest),
        )
        .col_expr(category::Column::UpdatedAt, Expr::val(now))
        .filter(category::Column::Path.like(format!("{old_prefix}%")))
        .exec(db)
        .await?;
    Ok(rewritten.rows_affected)
}

/// Deletes a category without children; its products keep existing without a category (the
/// foreign key is `ON DELETE SET NULL`). Returns the user errors instead when refused.
pub async fn delete_category(writer: &Writer, id: Uuid) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let mut write = writer.begin().await?;
    let txn = write.txn();
    let refuse = |error: UserError| Ok(Err(vec![error]));
    // FOR UPDATE: a concurrent create under this category either commits first (and is seen
    // below) or waits and then finds its parent gone.
    let Some(deleted) = category::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return refuse(category_not_found());
    };
    let has_children = || {
        UserError::new(
            &["id"],
            ErrorCode::Invalid,
            "the category has subcategories; move or delete them first",
        )
    };
    let children = category::Entity::find()
        .filter(category::Column::ParentId.eq(id))
        .count(txn)
        .await?;
    if children > 0 {
        return refuse(has_children());
    }
    // Its products lose their category (SET NULL): their search documents change.
    let products: Vec<Uuid> = product::Entity::find()
        .select_only()
        .column(product::Column::Id)
        .filter(product::Column::CategoryId.eq(id))
        .into_tuple()
        .all(txn)
        .await?;
    match category::Entity::delete_by_id(id).exec(txn).await {
        Ok(_) => {
            // Navigation changed, and its products lost their category.
            write.record(DomainEvent::CatalogChanged(CatalogChange::category(
                id,
                &deleted.slug,
                products,
            )));
            write.commit().await?;
            Ok(Ok(id))
        }
        // The parent foreign key (RESTRICT) caught a child the check did not see.
        Err(err)
            if matches!(
                err.sql_err(),
                Some(SqlErr::ForeignKeyConstraintViolation(_))
            ) =>
        {
            refuse(has_children())
        }
        Err(err) => Err(err.into()),
    }
}
