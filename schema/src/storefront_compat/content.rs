//! Menus and pages with Shopify's field names and global ids, read through the content
//! context's services.

use super::ids::gid;
use super::product::Seo;
use crate::content::service::links::Link;
use crate::content::service::menu_items::MenuItemType;
use crate::content::service::menus::StoredMenu;
use crate::content::types::body_summary;
use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use entities::page;

pub struct Menu {
    pub stored: StoredMenu,
    pub links: Vec<Link>,
}

#[Object]
impl Menu {
    async fn id(&self) -> ID {
        ID(gid("Menu", self.stored.menu.id))
    }

    async fn handle(&self) -> &str {
        &self.stored.menu.handle
    }

    async fn title(&self) -> &str {
        &self.stored.menu.title
    }

    async fn items(&self) -> Vec<MenuItem> {
        self.links.iter().cloned().map(MenuItem).collect()
    }

    async fn items_count(&self) -> usize {
        self.links.len()
    }
}

pub struct MenuItem(Link);

#[Object]
impl MenuItem {
    async fn id(&self) -> ID {
        ID(gid("MenuItem", self.0.item.id))
    }

    async fn title(&self) -> &str {
        &self.0.item.title
    }

    #[graphql(name = "type")]
    async fn kind(&self) -> MenuItemType {
        self.0.kind
    }

    /// The storefront path of the linked resource (`/products/<handle>`,
    /// `/pages/<handle>` …) or the address staff gave; null when the resource is gone.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    async fn resource_id(&self) -> Option<ID> {
        let kind = match self.0.kind {
            MenuItemType::Product => "Product",
            MenuItemType::Page => "Page",
            MenuItemType::Collection => "Collection",
            _ => "Category",
        };
        self.0.item.resource_id.map(|id| ID(gid(kind, id)))
    }

    async fn tags(&self) -> Vec<String> {
        Vec::new()
    }

    async fn items(&self) -> Vec<MenuItem> {
        self.0.items.iter().cloned().map(MenuItem).collect()
    }
}

#[derive(Clone)]
pub struct Page(pub page::Model);

#[Object]
impl Page {
    async fn id(&self) -> ID {
        ID(gid("Page", self.0.id))
    }

    async fn handle(&self) -> &str {
        &self.0.handle
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// HTML, sanitised when it was saved.
    async fn body(&self) -> &str {
        &self.0.body_html
    }

    async fn body_summary(&self) -> String {
        body_summary(&self.0)
    }

    async fn seo(&self) -> Seo {
        Seo {
            title: Some(
                self.0
                    .seo_title
                    .clone()
                    .unwrap_or_else(|| self.0.title.clone()),
            ),
            description: self
                .0
                .seo_description
                .clone()
                .or_else(|| Some(body_summary(&self.0))),
        }
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn online_store_url(&self) -> Option<String> {
        None
    }
}
