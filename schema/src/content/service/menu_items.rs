//! A menu's item tree as staff send it: checked whole (every bad field reported at once), then
//! flattened into `menu_items` rows, parents before children, `position` in the order given.

use super::{TITLE_LEN, invalid};
use crate::common::text;
use crate::common::user_error::UserError;
use async_graphql::Enum;
use entities::menu_item;
use sea_orm::Set;
use uuid::Uuid;

/// Most items in one menu, at every level together: a storefront renders the whole tree on
/// every page.
pub const MAX_ITEMS: usize = 250;
/// Deepest nesting: top-level items, their children and grandchildren.
pub const MAX_DEPTH: usize = 3;
/// Longest link (the `menu_items.url` column).
pub const URL_LEN: usize = 2048;

/// What a menu item links to.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MenuItemType {
    /// A collection: linked by `resourceId` (its path, `/collections/<handle>`, follows the
    /// handle), or by a `url` staff give.
    Collection,
    Product,
    Page,
    Category,
    /// An address given in `url`: http(s) or a storefront path starting with `/`.
    Url,
    Frontpage,
    Search,
}

impl MenuItemType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Collection => "COLLECTION",
            Self::Product => "PRODUCT",
            Self::Page => "PAGE",
            Self::Category => "CATEGORY",
            Self::Url => "URL",
            Self::Frontpage => "FRONTPAGE",
            Self::Search => "SEARCH",
        }
    }

    /// The stored kind; an unknown one (written by a newer version) reads as URL.
    pub fn parse(kind: &str) -> Self {
        [
            Self::Collection,
            Self::Product,
            Self::Page,
            Self::Category,
            Self::Frontpage,
            Self::Search,
        ]
        .into_iter()
        .find(|k| k.as_str() == kind)
        .unwrap_or(Self::Url)
    }
}

/// One item as staff describe it, with its children.
#[derive(Clone, Debug)]
pub struct ItemSpec {
    pub title: String,
    pub kind: MenuItemType,
    /// As sent: parsed here so a bad id is a user error at its own path.
    pub resource_id: Option<String>,
    pub url: Option<String>,
    pub items: Vec<ItemSpec>,
}

/// A checked item, ready to store.
#[derive(Clone, Debug)]
struct CleanItem {
    title: String,
    kind: MenuItemType,
    resource_id: Option<Uuid>,
    url: Option<String>,
    items: Vec<CleanItem>,
}

/// The tree checked whole, or every problem in it (paths like `input.items.0.items.2.url`).
pub fn check(items: &[ItemSpec]) -> Result<CheckedTree, Vec<UserError>> {
    let mut errors = Vec::new();
    if count(items) > MAX_ITEMS {
        errors.push(invalid(
            &["input", "items"],
            format!("a menu holds at most {MAX_ITEMS} items at all levels"),
        ));
        return Err(errors);
    }
    let clean = check_level(items, &["input".to_owned()], 1, &mut errors);
    if errors.is_empty() {
        Ok(CheckedTree(clean))
    } else {
        Err(errors)
    }
}

/// A tree [`check`] accepted.
#[derive(Clone, Debug)]
pub struct CheckedTree(Vec<CleanItem>);

impl CheckedTree {
    /// The rows of the tree for `menu_id`, parents first.
    pub fn rows(&self, menu_id: Uuid) -> Vec<menu_item::ActiveModel> {
        let mut rows = Vec::new();
        flatten(&self.0, menu_id, None, &mut rows);
        rows
    }
}

fn count(items: &[ItemSpec]) -> usize {
    items.iter().map(|item| 1 + count(&item.items)).sum()
}

fn error_at(path: &[String], field: &str, message: impl Into<String>) -> UserError {
    let mut field_path: Vec<&str> = path.iter().map(String::as_str).collect();
    field_path.push(field);
    invalid(&field_path, message)
}

fn check_level(
    items: &[ItemSpec],
    parent: &[String],
    depth: usize,
    errors: &mut Vec<UserError>,
) -> Vec<CleanItem> {
    let mut clean = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let mut path = parent.to_vec();
        path.push("items".to_owned());
        path.push(index.to_string());
        let checked = check_item(item, &path, errors);
        if !item.items.is_empty() && depth >= MAX_DEPTH {
            errors.push(error_at(
                &path,
                "items",
                format!("menus nest at most {MAX_DEPTH} levels deep"),
            ));
            continue;
        }
        let children = check_level(&item.items, &path, depth + 1, errors);
        if let Some(mut checked) = checked {
            checked.items = children;
            clean.push(checked);
        }
    }
    clean
}

fn check_item(item: &ItemSpec, path: &[String], errors: &mut Vec<UserError>) -> Option<CleanItem> {
    let before = errors.len();
    let title = text::required_line(&item.title, TITLE_LEN)
        .map_err(|problem| errors.push(error_at(path, "title", problem.to_string())))
        .ok();
    let resource_id = item
        .resource_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .and_then(|id| {
            Uuid::parse_str(id)
                .map_err(|_| errors.push(error_at(path, "resourceId", "not a valid id (a UUID)")))
                .ok()
        });
    let url = item
        .url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .and_then(|url| {
            check_url(url)
                .map_err(|message| errors.push(error_at(path, "url", message)))
                .ok()
        });
    let given_id = item
        .resource_id
        .as_deref()
        .is_some_and(|id| !id.trim().is_empty());
    let given_url = item
        .url
        .as_deref()
        .is_some_and(|url| !url.trim().is_empty());
    match item.kind {
        MenuItemType::Product | MenuItemType::Page | MenuItemType::Category => {
            if !given_id {
                errors.push(error_at(
                    path,
                    "resourceId",
                    "give the id of what the item links to",
                ));
            }
            if given_url {
                errors.push(error_at(
                    path,
                    "url",
                    "the link is made from `resourceId`; leave `url` out",
                ));
            }
        }
        MenuItemType::Url => {
            if !given_url {
                errors.push(error_at(path, "url", "a URL item needs a `url`"));
            }
            if given_id {
                errors.push(error_at(
                    path,
                    "resourceId",
                    "a URL item links to `url` only",
                ));
            }
        }
        MenuItemType::Collection => {
            if !given_url && !given_id {
                errors.push(error_at(
                    path,
                    "url",
                    "give the collection's `url` (e.g. /collections/shirts) or its `resourceId`",
                ));
            }
        }
        MenuItemType::Frontpage | MenuItemType::Search => {
            if given_url || given_id {
                errors.push(error_at(
                    path,
                    "url",
                    "this item's link is fixed; leave `url` and `resourceId` out",
                ));
            }
        }
    }
    if errors.len() > before {
        return None;
    }
    Some(CleanItem {
        title: title?,
        kind: item.kind,
        resource_id,
        url,
        items: Vec::new(),
    })
}

/// An absolute http(s) address or a storefront path (`/…`, not `//host`), one line.
fn check_url(url: &str) -> Result<String, String> {
    if url.chars().count() > URL_LEN {
        return Err(format!("use at most {URL_LEN} characters"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("no spaces or control characters; percent-encode them".to_owned());
    }
    let lower = url.to_ascii_lowercase();
    let absolute = ["http://", "https://"].iter().any(|scheme| {
        lower
            .strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty())
    });
    let path = url.starts_with('/') && !url.starts_with("//");
    if absolute || path {
        Ok(url.to_owned())
    } else {
        Err("use an http(s) address or a path starting with /".to_owned())
    }
}

fn flatten(
    items: &[CleanItem],
    menu_id: Uuid,
    parent_id: Option<Uuid>,
    rows: &mut Vec<menu_item::ActiveModel>,
) {
    for (position, item) in items.iter().enumerate() {
        let id = Uuid::now_v7();
        rows.push(menu_item::ActiveModel {
            id: Set(id),
            menu_id: Set(menu_id),
            parent_id: Set(parent_id),
            title: Set(item.title.clone()),
            kind: Set(item.kind.as_str().to_owned()),
            resource_id: Set(item.resource_id),
            url: Set(item.url.clone()),
            // At most MAX_ITEMS siblings: always fits.
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        });
        flatten(&item.items, menu_id, Some(id), rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: MenuItemType, url: Option<&str>, items: Vec<ItemSpec>) -> ItemSpec {
        ItemSpec {
            title: "Item".to_owned(),
            kind,
            resource_id: None,
            url: url.map(str::to_owned),
            items,
        }
    }

    #[test]
    fn urls_are_http_or_paths() {
        assert!(check_url("/search?q=shirt").is_ok());
        assert!(check_url("https://example.com/a").is_ok());
        assert!(check_url("javascript:alert(1)").is_err());
        assert!(check_url("//evil.example").is_err());
        assert!(check_url("https://").is_err());
        assert!(check_url("/a b").is_err());
    }

    #[test]
    fn every_bad_item_is_reported_and_depth_is_capped() {
        let deep = item(
            MenuItemType::Frontpage,
            None,
            vec![item(
                MenuItemType::Search,
                None,
                vec![item(
                    MenuItemType::Frontpage,
                    None,
                    vec![item(MenuItemType::Search, None, vec![])],
                )],
            )],
        );
        let tree = vec![
            item(MenuItemType::Url, None, vec![]),
            item(MenuItemType::Product, Some("/x"), vec![]),
            deep,
        ];
        let errors = check(&tree).err().unwrap_or_default();
        let fields: Vec<String> = errors
            .iter()
            .map(|e| e.field.clone().unwrap_or_default().join("."))
            .collect();
        assert_eq!(
            fields,
            [
                "input.items.0.url",
                "input.items.1.resourceId",
                "input.items.1.url",
                "input.items.2.items.0.items.0.items",
            ]
        );
    }
}
