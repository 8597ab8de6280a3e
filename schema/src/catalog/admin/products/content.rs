//! The rules for a product's content fields (issue 19): tags, the HTML description and the
//! SEO overrides.

use super::super::variants::Problems;
use crate::common::html;
use crate::common::text;
use entities::json::StringList;
use std::collections::HashSet;

/// Most tags per product: enough for any merchandising scheme, small enough to read with
/// the row on every listing.
pub const MAX_TAGS: usize = 250;
/// Longest tag, in characters.
pub const MAX_TAG_LEN: usize = 255;
/// Largest HTML description accepted, in bytes of the input (before sanitising).
pub const MAX_DESCRIPTION_HTML_BYTES: usize = 512 * 1024;
/// `products.seo_title` is `varchar(255)`.
pub const MAX_SEO_TITLE_LEN: usize = 255;
/// `products.seo_description` is `varchar(1000)`.
pub const MAX_SEO_DESCRIPTION_LEN: usize = 1000;

/// Trimmed, one line each, and deduplicated ignoring case (the first spelling wins), so
/// `Summer` and `summer ` are one tag: storefronts filter and show tags, and two that differ
/// only in case would look like a mistake.
pub(super) fn clean_tags(tags: Vec<String>, p: &mut Problems<'_>) -> StringList {
    if tags.len() > MAX_TAGS {
        p.invalid(&["tags"], format!("give at most {MAX_TAGS} tags"));
        return StringList::default();
    }
    let mut seen = HashSet::new();
    let mut clean = Vec::with_capacity(tags.len());
    for (i, tag) in tags.iter().enumerate() {
        match text::required_line(tag, MAX_TAG_LEN) {
            Ok(tag) => {
                if seen.insert(tag.to_lowercase()) {
                    clean.push(tag);
                }
            }
            Err(problem) => p.invalid(&["tags", &i.to_string()], problem.to_string()),
        }
    }
    StringList(clean)
}

/// Sanitised HTML, or `None` when nothing is left. The size is checked on the input, so a
/// huge document is refused before it is parsed.
pub(super) fn clean_description_html(html: Option<String>, p: &mut Problems<'_>) -> Option<String> {
    let html = html?;
    if html.len() > MAX_DESCRIPTION_HTML_BYTES {
        let message = format!("use at most {} KiB", MAX_DESCRIPTION_HTML_BYTES / 1024);
        p.invalid(&["descriptionHtml"], message);
        return None;
    }
    // PostgreSQL cannot store a NUL; refuse it rather than rely on the parser replacing it.
    if text::has_nul(&html) {
        p.invalid(&["descriptionHtml"], "must not contain NUL characters");
        return None;
    }
    let clean = html::sanitise(&html);
    let clean = clean.trim();
    (!clean.is_empty()).then(|| clean.to_owned())
}

pub(super) fn clean_seo_title(title: Option<String>, p: &mut Problems<'_>) -> Option<String> {
    text::optional_line(title.as_deref(), MAX_SEO_TITLE_LEN).unwrap_or_else(|problem| {
        p.invalid(&["seo", "title"], problem.to_string());
        None
    })
}

pub(super) fn clean_seo_description(
    description: Option<String>,
    p: &mut Problems<'_>,
) -> Option<String> {
    text::optional_block(description.as_deref(), MAX_SEO_DESCRIPTION_LEN).unwrap_or_else(
        |problem| {
            p.invalid(&["seo", "description"], problem.to_string());
            None
        },
    )
}
