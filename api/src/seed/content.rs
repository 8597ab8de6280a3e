//! Demo storefront content: the header and footer menus Next.js Commerce asks for by handle,
//! and two pages they link to.

use chrono::{DateTime, Utc};
use entities::{category, menu, menu_item, page};
use schema::common::html;
use uuid::Uuid;

/// The handles Next.js Commerce's layout reads.
pub const HEADER_MENU: &str = "next-js-frontend-header-menu";
pub const FOOTER_MENU: &str = "next-js-frontend-footer-menu";

const ABOUT: &str = "<h2>Made to last</h2>\
<p>Shopgraph Supply started in 2019 in a two-room workshop with one idea: fewer, better things. \
We work with small mills and factories we have visited ourselves, and we publish where every \
product comes from.</p>\
<h3>What we promise</h3>\
<ul><li>Materials chosen to age well, not to look new for a season.</li>\
<li>Repairs for the life of the product: write to <a href=\"mailto:care@example.com\">care@example.com</a>.</li>\
<li>Honest prices, with no permanent &ldquo;sale&rdquo;.</li></ul>";

const SHIPPING_RETURNS: &str = "<h2>Shipping</h2>\
<p>Orders placed before 2 pm ship the same working day from Reno (US) or Amsterdam (EU). \
Standard delivery takes 3&ndash;5 working days; express takes 1&ndash;2.</p>\
<p>Shipping is free on orders over $75 or &euro;70.</p>\
<h2>Returns</h2>\
<p>Changed your mind? Send anything unworn back within <strong>30 days</strong> of delivery \
for a full refund. Start a return from your order page, or read the \
<a href=\"https://example.com/returns-policy\">full returns policy</a>.</p>";

/// The rows to insert.
#[derive(Default)]
pub struct ContentRows {
    pub pages: Vec<page::Model>,
    pub menus: Vec<menu::Model>,
    /// Parents before children.
    pub items: Vec<menu_item::Model>,
}

/// Pages, and menus whose category items link to the top-level `categories`.
pub fn generate(categories: &[category::Model], now: DateTime<Utc>) -> ContentRows {
    let mut rows = ContentRows::default();
    let about = add_page(&mut rows, "about", "About us", ABOUT, now);
    let shipping = add_page(
        &mut rows,
        "shipping-returns",
        "Shipping & returns",
        SHIPPING_RETURNS,
        now,
    );

    let header = add_menu(&mut rows, HEADER_MENU, "Main menu", now);
    add_item(&mut rows, header, None, 0, "All", "SEARCH", None);
    for (position, root) in categories
        .iter()
        .filter(|c| c.parent_id.is_none())
        .enumerate()
    {
        let parent = add_item(
            &mut rows,
            header,
            None,
            position + 1,
            &root.name,
            "CATEGORY",
            Some(root.id),
        );
        for (child_position, child) in categories
            .iter()
            .filter(|c| c.parent_id == Some(root.id))
            .enumerate()
        {
            add_item(
                &mut rows,
                header,
                Some(parent),
                child_position,
                &child.name,
                "CATEGORY",
                Some(child.id),
            );
        }
    }

    let footer = add_menu(&mut rows, FOOTER_MENU, "Footer menu", now);
    add_item(&mut rows, footer, None, 0, "Home", "FRONTPAGE", None);
    add_item(&mut rows, footer, None, 1, "About", "PAGE", Some(about));
    add_item(
        &mut rows,
        footer,
        None,
        2,
        "Shipping & returns",
        "PAGE",
        Some(shipping),
    );
    add_item(&mut rows, footer, None, 3, "Search", "SEARCH", None);
    rows
}

fn add_page(
    rows: &mut ContentRows,
    handle: &str,
    title: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Uuid {
    let id = Uuid::now_v7();
    rows.pages.push(page::Model {
        id,
        handle: handle.into(),
        title: title.into(),
        // Stored as staff's would be: through the sanitiser.
        body_html: html::sanitise(body),
        summary: None,
        seo_title: Some(title.into()),
        seo_description: None,
        published: true,
        created_at: now,
        updated_at: now,
    });
    id
}

fn add_menu(rows: &mut ContentRows, handle: &str, title: &str, now: DateTime<Utc>) -> Uuid {
    let id = Uuid::now_v7();
    rows.menus.push(menu::Model {
        id,
        handle: handle.into(),
        title: title.into(),
        created_at: now,
        updated_at: now,
    });
    id
}

fn add_item(
    rows: &mut ContentRows,
    menu_id: Uuid,
    parent_id: Option<Uuid>,
    position: usize,
    title: &str,
    kind: &str,
    resource_id: Option<Uuid>,
) -> Uuid {
    let id = Uuid::now_v7();
    rows.items.push(menu_item::Model {
        id,
        menu_id,
        parent_id,
        title: title.into(),
        kind: kind.into(),
        resource_id,
        url: None,
        position: i32::try_from(position).unwrap_or(i32::MAX),
    });
    id
}
