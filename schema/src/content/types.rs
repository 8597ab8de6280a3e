//! Content types: menus with their item trees, pages, and the staff inputs and payloads.

use super::service::links::Link;
use super::service::menu_items::MenuItemType;
use super::service::menus::StoredMenu;
use crate::common::html;
use crate::common::pagination::PageInfo;
use crate::common::seo::Seo;
use crate::common::user_error::UserError;
use async_graphql::{ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::page;

/// Longest `bodySummary` made from the body when the page has no summary.
const BODY_SUMMARY_LEN: usize = 300;

/// A navigation menu (a storefront's header or footer), asked for by handle.
pub struct Menu {
    pub stored: StoredMenu,
    pub links: Vec<Link>,
}

#[Object]
impl Menu {
    async fn id(&self) -> ID {
        ID(self.stored.menu.id.to_string())
    }

    async fn handle(&self) -> &str {
        &self.stored.menu.handle
    }

    async fn title(&self) -> &str {
        &self.stored.menu.title
    }

    /// The top-level items, in order; each holds its own children (3 levels at most).
    async fn items(&self) -> Vec<MenuItem> {
        self.links.iter().cloned().map(MenuItem).collect()
    }

    /// How many items the menu has, at every level.
    async fn items_count(&self) -> usize {
        self.stored.items.len()
    }
}

/// One link of a menu.
pub struct MenuItem(Link);

#[Object]
impl MenuItem {
    async fn id(&self) -> ID {
        ID(self.0.item.id.to_string())
    }

    async fn title(&self) -> &str {
        &self.0.item.title
    }

    #[graphql(name = "type")]
    async fn kind(&self) -> MenuItemType {
        self.0.kind
    }

    /// Where the item leads: the storefront path of its resource (`/products/<slug>`,
    /// `/pages/<handle>`, `/categories/<slug>`, `/search`, `/`) or the address staff gave.
    /// Null when the linked product, page or category is gone or not visible.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// The product, page, category or collection the item links to.
    async fn resource_id(&self) -> Option<ID> {
        self.0.item.resource_id.map(|id| ID(id.to_string()))
    }

    /// The item's children, in order.
    async fn items(&self) -> Vec<MenuItem> {
        self.0.items.iter().cloned().map(MenuItem).collect()
    }
}

/// The summary staff wrote, else the start of the body as plain text.
pub fn body_summary(page: &page::Model) -> String {
    match &page.summary {
        Some(summary) => summary.clone(),
        None => {
            let text = html::plain_text(&page.body_html);
            match text.char_indices().nth(BODY_SUMMARY_LEN) {
                Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
                None => text,
            }
        }
    }
}

/// A static storefront page (about us, shipping and returns …).
pub struct Page(pub page::Model);

#[Object]
impl Page {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn handle(&self) -> &str {
        &self.0.handle
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The body as HTML, sanitised when it was saved (no scripts, event handlers, images or
    /// `javascript:` links), safe to render as it is.
    async fn body(&self) -> &str {
        &self.0.body_html
    }

    /// The summary staff wrote, else the start of the body as plain text.
    async fn body_summary(&self) -> String {
        body_summary(&self.0)
    }

    async fn seo(&self) -> Seo {
        Seo {
            title: self.0.seo_title.clone(),
            description: self.0.seo_description.clone(),
        }
    }

    /// Whether shoppers see it (staff with MANAGE_SETTINGS see every page).
    async fn published(&self) -> bool {
        self.0.published
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(SimpleObject)]
pub struct PageEdge {
    /// The page's handle (pages are listed by handle).
    pub cursor: String,
    pub node: Page,
}

#[derive(SimpleObject)]
pub struct PageConnection {
    pub edges: Vec<PageEdge>,
    pub page_info: PageInfo,
}

/// One item of a menu's tree, with its children.
#[derive(InputObject, Clone, Debug)]
pub struct MenuItemInput {
    pub title: String,
    #[graphql(name = "type")]
    pub kind: MenuItemType,
    /// For PRODUCT, PAGE, CATEGORY (and COLLECTION) items: what the item links to.
    pub resource_id: Option<ID>,
    /// For URL items (http(s) or a path starting with `/`), and COLLECTION items until
    /// collections land (e.g. `/collections/shirts`).
    pub url: Option<String>,
    /// Children, in order; menus nest 3 levels deep.
    pub items: Option<Vec<MenuItemInput>>,
}

#[derive(InputObject)]
pub struct MenuCreateInput {
    /// Lower-case letters, digits and dashes; what storefronts ask for.
    pub handle: String,
    pub title: String,
    /// The whole tree, at most 250 items at all levels.
    pub items: Option<Vec<MenuItemInput>>,
}

/// Fields left out keep their value; `items` replaces the whole tree.
#[derive(InputObject)]
pub struct MenuUpdateInput {
    pub handle: Option<String>,
    pub title: Option<String>,
    pub items: Option<Vec<MenuItemInput>>,
}

#[derive(SimpleObject)]
pub struct MenuPayload {
    pub menu: Option<Menu>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct MenuDeletePayload {
    pub deleted_menu_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct PageSeoInput {
    /// Blank or left out: none.
    pub title: Option<String>,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct PageCreateInput {
    pub handle: String,
    pub title: String,
    /// HTML, at most 512 KiB; sanitised before it is stored.
    pub body: Option<String>,
    pub summary: Option<String>,
    pub seo: Option<PageSeoInput>,
    /// Whether shoppers see it; true when left out.
    pub published: Option<bool>,
}

/// Fields left out keep their value; a blank summary clears it; `seo` sets both fields.
#[derive(InputObject)]
pub struct PageUpdateInput {
    pub handle: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub summary: Option<String>,
    pub seo: Option<PageSeoInput>,
    pub published: Option<bool>,
}

#[derive(SimpleObject)]
pub struct PagePayload {
    pub page: Option<Page>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct PageDeletePayload {
    pub deleted_page_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}
