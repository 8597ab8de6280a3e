//! Content rules: what a valid menu (`menus`, its item tree in `menu_items`) or page
//! (`pages`) is, and how a stored menu becomes links (`links`).

pub mod links;
pub mod menu_items;
pub mod menus;
pub mod pages;

use crate::common::slug::is_valid_slug;
use crate::common::user_error::{ErrorCode, UserError};
use crate::content::events::{ContentChange, ContentKind};
use crate::events::DomainEvent;
use crate::unit_of_work::Write;
use uuid::Uuid;

/// Longest handle (the `menus.handle` and `pages.handle` columns hold 160; slugs stop at 128).
pub const HANDLE_LEN: usize = 160;
/// Longest menu or page title.
pub const TITLE_LEN: usize = 255;

pub(crate) fn invalid(field: &[&str], message: impl Into<String>) -> UserError {
    UserError::new(field, ErrorCode::Invalid, message)
}

/// A handle as staff typed it, trimmed, if it follows the slug rules.
pub(crate) fn clean_handle(handle: &str) -> Result<String, UserError> {
    let handle = handle.trim();
    if handle.len() <= HANDLE_LEN && is_valid_slug(handle) {
        Ok(handle.to_owned())
    } else {
        Err(invalid(
            &["input", "handle"],
            "use lower-case letters a-z, digits and single dashes (at most 128 characters), e.g. about-us",
        ))
    }
}

/// Records that a menu or page changed, so cached answers that showed it are dropped
/// (`crate::response_cache` follows these events) and webhooks may follow later.
pub(crate) fn changed(write: &mut Write, kind: ContentKind, id: Uuid, handle: &str) {
    write.record(DomainEvent::ContentChanged(ContentChange::new(
        kind, id, handle,
    )));
}
