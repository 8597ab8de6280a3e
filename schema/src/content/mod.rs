//! Storefront content: navigation menus (`menu(handle)`) and static pages (`page`, `pages`).
//! Staff manage both with MANAGE_SETTINGS. Owns `menus`, `menu_items` and `pages`; page
//! bodies are sanitised on save (`crate::common::html`).

pub mod events;
pub mod mutation;
pub mod query;
pub mod service;
pub mod types;
