//! A stored menu as shoppers see it: the item tree, each item with its storefront link.
//!
//! Links of resource items are read in one statement per kind of resource (products, pages,
//! categories), however many items the menu has. A target that is gone, or not visible to
//! shoppers (a draft product, an unpublished page), leaves its item without a link; the item
//! stays so staff notice. Storefront paths: `/products/<slug>`, `/pages/<handle>`,
//! `/categories/<slug>`, `/search`, `/`.
//!
//! COLLECTION items link to the `url` staff gave (e.g. `/collections/shirts`): collections
//! are not on this branch yet. Once they land, a `resourceId` will be looked up like the
//! others (one statement for all collection items).

use super::menu_items::MenuItemType;
use crate::error::ApiResult;
use entities::enums::ProductStatus;
use entities::{category, collection, menu_item, page, product};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// One item with its link and its children, in order.
#[derive(Clone, Debug)]
pub struct Link {
    pub item: menu_item::Model,
    pub kind: MenuItemType,
    pub url: Option<String>,
    pub items: Vec<Link>,
}

/// The tree of `items` (as `menus::items_of` reads them: by position), links resolved.
pub async fn resolve(
    db: &impl ConnectionTrait,
    items: Vec<menu_item::Model>,
) -> ApiResult<Vec<Link>> {
    let ids_of = |kind: MenuItemType| -> Vec<Uuid> {
        items
            .iter()
            .filter(|item| MenuItemType::parse(&item.kind) == kind)
            .filter_map(|item| item.resource_id)
            .collect()
    };
    let (product_ids, page_ids, category_ids, collection_ids) = (
        ids_of(MenuItemType::Product),
        ids_of(MenuItemType::Page),
        ids_of(MenuItemType::Category),
        ids_of(MenuItemType::Collection),
    );
    let mut paths: HashMap<Uuid, String> = HashMap::new();
    if !product_ids.is_empty() {
        let rows: Vec<(Uuid, String)> = product::Entity::find()
            .select_only()
            .columns([product::Column::Id, product::Column::Slug])
            .filter(product::Column::Id.is_in(product_ids))
            .filter(product::Column::Status.eq(ProductStatus::Active))
            .into_tuple()
            .all(db)
            .await?;
        paths.extend(
            rows.into_iter()
                .map(|(id, slug)| (id, format!("/products/{slug}"))),
        );
    }
    if !page_ids.is_empty() {
        let rows: Vec<(Uuid, String)> = page::Entity::find()
            .select_only()
            .columns([page::Column::Id, page::Column::Handle])
            .filter(page::Column::Id.is_in(page_ids))
            .filter(page::Column::Published.eq(true))
            .into_tuple()
            .all(db)
            .await?;
        paths.extend(
            rows.into_iter()
                .map(|(id, handle)| (id, format!("/pages/{handle}"))),
        );
    }
    if !category_ids.is_empty() {
        let rows: Vec<(Uuid, String)> = category::Entity::find()
            .select_only()
            .columns([category::Column::Id, category::Column::Slug])
            .filter(category::Column::Id.is_in(category_ids))
            .into_tuple()
            .all(db)
            .await?;
        paths.extend(
            rows.into_iter()
                .map(|(id, slug)| (id, format!("/categories/{slug}"))),
        );
    }
    if !collection_ids.is_empty() {
        let rows: Vec<(Uuid, String)> = collection::Entity::find()
            .select_only()
            .columns([collection::Column::Id, collection::Column::Handle])
            .filter(collection::Column::Id.is_in(collection_ids))
            .into_tuple()
            .all(db)
            .await?;
        paths.extend(
            rows.into_iter()
                .map(|(id, handle)| (id, format!("/collections/{handle}"))),
        );
    }
    let mut children: HashMap<Option<Uuid>, Vec<menu_item::Model>> = HashMap::new();
    for item in items {
        children.entry(item.parent_id).or_default().push(item);
    }
    Ok(build(None, &mut children, &paths))
}

fn build(
    parent: Option<Uuid>,
    children: &mut HashMap<Option<Uuid>, Vec<menu_item::Model>>,
    paths: &HashMap<Uuid, String>,
) -> Vec<Link> {
    let Some(level) = children.remove(&parent) else {
        return Vec::new();
    };
    level
        .into_iter()
        .map(|item| {
            let kind = MenuItemType::parse(&item.kind);
            let url = match kind {
                MenuItemType::Url => item.url.clone(),
                // Linked by id: the collection's current handle (null once it is deleted);
                // else the address staff gave.
                MenuItemType::Collection => match item.resource_id {
                    Some(id) => paths.get(&id).cloned(),
                    None => item.url.clone(),
                },
                MenuItemType::Frontpage => Some("/".to_owned()),
                MenuItemType::Search => Some("/search".to_owned()),
                MenuItemType::Product | MenuItemType::Page | MenuItemType::Category => {
                    item.resource_id.and_then(|id| paths.get(&id).cloned())
                }
            };
            // `remove` above takes each level once, so a cycle (impossible by construction)
            // could not loop.
            let items = build(Some(item.id), children, paths);
            Link {
                item,
                kind,
                url,
                items,
            }
        })
        .collect()
}
