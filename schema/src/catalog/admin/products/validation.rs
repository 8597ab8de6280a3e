//! The rules a product's own fields follow, and the checks that need the database (slug
//! uniqueness, the category). Each problem becomes a user error with its field path.

use super::super::variants::Problems;
use super::{MAX_BRAND_LEN, MAX_NAME_LEN};
use crate::common::slug::{MAX_SLUG_LEN, NO_SLUG_FROM_NAME, is_valid_slug, slugify};
use crate::common::text::{self, MAX_DESCRIPTION_LEN};
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use entities::json::{NameValue, NameValueList};
use entities::{category, product};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

const SLUG_RULE: &str = "use lower-case letters and digits in words joined by single dashes";

pub(super) fn clean_name(name: &str, p: &mut Problems<'_>) -> String {
    text::required_line(name, MAX_NAME_LEN).unwrap_or_else(|problem| {
        p.invalid(&["name"], problem.to_string());
        name.trim().to_owned()
    })
}

pub(super) fn check_slug(slug: &str, p: &mut Problems<'_>) -> bool {
    let valid = is_valid_slug(slug);
    if !valid {
        p.invalid(
            &["slug"],
            format!("{SLUG_RULE}, at most {MAX_SLUG_LEN} characters"),
        );
    }
    valid
}

/// The slug a create uses: the given one, or one made from the name. A slug made from a
/// refused name is not checked (the name's error says what to fix); a valid name with no
/// letter or digit (all emoji, say) gets an error asking for a slug.
pub(super) fn create_slug(
    given: Option<String>,
    name: &str,
    name_ok: bool,
    p: &mut Problems<'_>,
) -> (String, bool) {
    match given {
        Some(slug) => {
            let slug = slug.trim().to_owned();
            let ok = check_slug(&slug, p);
            (slug, ok)
        }
        None if !name_ok => (String::new(), false),
        None => {
            let slug = slugify(name);
            if slug.is_empty() {
                p.invalid(&["slug"], NO_SLUG_FROM_NAME);
            }
            let ok = !slug.is_empty();
            (slug, ok)
        }
    }
}

pub(super) fn clean_description(
    description: Option<String>,
    p: &mut Problems<'_>,
) -> Option<String> {
    text::optional_block(description.as_deref(), MAX_DESCRIPTION_LEN).unwrap_or_else(|problem| {
        p.invalid(&["description"], problem.to_string());
        None
    })
}

pub(super) fn clean_brand(brand: Option<String>, p: &mut Problems<'_>) -> Option<String> {
    text::optional_line(brand.as_deref(), MAX_BRAND_LEN).unwrap_or_else(|problem| {
        p.invalid(&["brand"], problem.to_string());
        None
    })
}

/// Most attributes per product.
const MAX_ATTRIBUTES: usize = 50;
const MAX_ATTRIBUTE_LEN: usize = 255;

pub(super) fn clean_attributes(list: Vec<NameValue>, p: &mut Problems<'_>) -> NameValueList {
    if list.len() > MAX_ATTRIBUTES {
        p.invalid(
            &["attributes"],
            format!("give at most {MAX_ATTRIBUTES} attributes"),
        );
        return NameValueList::default();
    }
    let mut clean = Vec::with_capacity(list.len());
    for (i, attribute) in list.into_iter().enumerate() {
        let mut checked = |field: &str, value: &str| {
            text::required_line(value, MAX_ATTRIBUTE_LEN).unwrap_or_else(|problem| {
                p.invalid(&["attributes", &i.to_string(), field], problem.to_string());
                String::new()
            })
        };
        let name = checked("name", &attribute.name);
        let value = checked("value", &attribute.value);
        clean.push(NameValue { name, value });
    }
    NameValueList(clean)
}

pub(super) fn slug_taken() -> UserError {
    let message = "another product already uses this slug";
    UserError::new(&["input", "slug"], ErrorCode::Taken, message)
}

pub(super) fn product_not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no such product")
}

/// A slug or SKU taken by a concurrent write after the checks.
pub(super) fn taken_concurrently() -> UserError {
    let message = "the slug or a SKU was just taken by another change; try again";
    UserError::new(&["input"], ErrorCode::Taken, message)
}

pub(super) async fn slug_in_use(
    db: &impl ConnectionTrait,
    slug: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let mut select = product::Entity::find().filter(product::Column::Slug.eq(slug));
    if let Some(id) = except {
        select = select.filter(product::Column::Id.ne(id));
    }
    Ok(select.count(db).await? > 0)
}

/// Adds NOT_FOUND when the category does not exist (locked `FOR SHARE` so it stays).
pub(super) async fn check_category(
    db: &impl ConnectionTrait,
    id: Uuid,
    errors: &mut Vec<UserError>,
) -> ApiResult<()> {
    let category = category::Entity::find_by_id(id)
        .lock_shared()
        .one(db)
        .await?;
    if category.is_none() {
        let error = UserError::new(
            &["input", "categoryId"],
            ErrorCode::NotFound,
            "no such category",
        );
        errors.push(error);
    }
    Ok(())
}
