//! Menus for staff: a handle, a title and an item tree replaced whole on every change (menus
//! are small and edited as a whole in any admin, so there is no per-item API to keep in step).

use super::menu_items::{self, CheckedTree, ItemSpec};
use super::{TITLE_LEN, clean_handle, invalid};
use crate::common::clock::now;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::content::events::ContentKind;
use crate::error::ApiResult;
use crate::unit_of_work::{Write, Writer};
use entities::{menu, menu_item};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use uuid::Uuid;

/// A menu as staff describe it; on update, `None` keeps a field (items: the whole tree).
#[derive(Clone, Debug, Default)]
pub struct MenuSpec {
    pub handle: Option<String>,
    pub title: Option<String>,
    pub items: Option<Vec<ItemSpec>>,
}

/// A menu and its items (parents before children, siblings in order).
#[derive(Clone, Debug, Serialize)]
pub struct StoredMenu {
    pub menu: menu::Model,
    pub items: Vec<menu_item::Model>,
}

pub type MenuOutcome = Result<StoredMenu, Vec<UserError>>;

struct CleanSpec {
    handle: Option<String>,
    title: Option<String>,
    items: Option<CheckedTree>,
}

fn not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no menu with this id")
}

fn taken() -> UserError {
    UserError::new(
        &["input", "handle"],
        ErrorCode::Taken,
        "another menu has this handle",
    )
}

fn clean(spec: MenuSpec) -> Result<CleanSpec, Vec<UserError>> {
    let mut errors = Vec::new();
    let handle = spec
        .handle
        .and_then(|h| clean_handle(&h).map_err(|e| errors.push(e)).ok());
    let title = spec.title.and_then(|title| {
        text::required_line(&title, TITLE_LEN)
            .map_err(|problem| errors.push(invalid(&["input", "title"], problem.to_string())))
            .ok()
    });
    let items = spec.items.and_then(|items| {
        menu_items::check(&items)
            .map_err(|mut found| errors.append(&mut found))
            .ok()
    });
    if errors.is_empty() {
        Ok(CleanSpec {
            handle,
            title,
            items,
        })
    } else {
        Err(errors)
    }
}

async fn handle_taken(write: &Write, handle: &str, except: Option<Uuid>) -> ApiResult<bool> {
    let mut query = menu::Entity::find().filter(menu::Column::Handle.eq(handle));
    if let Some(id) = except {
        query = query.filter(menu::Column::Id.ne(id));
    }
    Ok(query.one(write.txn()).await?.is_some())
}

/// The items of `menu_id` by position (`links` builds the tree from `parent_id`).
pub async fn items_of(
    db: &impl ConnectionTrait,
    menu_id: Uuid,
) -> ApiResult<Vec<menu_item::Model>> {
    Ok(menu_item::Entity::find()
        .filter(menu_item::Column::MenuId.eq(menu_id))
        .order_by_asc(menu_item::Column::Position)
        .order_by_asc(menu_item::Column::Id)
        .all(db)
        .await?)
}

/// Replaces the menu's items with `tree` (the old rows go, children with their parents).
async fn replace_items(write: &Write, menu_id: Uuid, tree: &CheckedTree) -> ApiResult<()> {
    // Explicitly, not only by the foreign key's cascade: SQLite enforces that per connection.
    menu_item::Entity::delete_many()
        .filter(menu_item::Column::MenuId.eq(menu_id))
        .exec(write.txn())
        .await?;
    let rows = tree.rows(menu_id);
    if !rows.is_empty() {
        menu_item::Entity::insert_many(rows)
            .exec(write.txn())
            .await?;
    }
    Ok(())
}

pub async fn create(writer: &Writer, spec: MenuSpec) -> ApiResult<MenuOutcome> {
    let mut errors = Vec::new();
    if spec.handle.is_none() {
        errors.push(invalid(&["input", "handle"], "give the menu a handle"));
    }
    let spec = match clean(spec) {
        Ok(spec) => spec,
        Err(mut found) => {
            errors.append(&mut found);
            return Ok(Err(errors));
        }
    };
    let (Some(handle), Some(title)) = (spec.handle, spec.title) else {
        return Ok(Err(vec![invalid(
            &["input", "title"],
            "give the menu a title",
        )]));
    };
    let mut write = writer.begin().await?;
    if handle_taken(&write, &handle, None).await? {
        return Ok(Err(vec![taken()]));
    }
    let at = now();
    let menu = menu::ActiveModel {
        id: Set(Uuid::now_v7()),
        handle: Set(handle),
        title: Set(title),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(write.txn())
    .await?;
    if let Some(tree) = &spec.items {
        replace_items(&write, menu.id, tree).await?;
    }
    let stored = StoredMenu {
        items: items_of(write.txn(), menu.id).await?,
        menu,
    };
    write.audit_target("Menu", stored.menu.id);
    write.audit_change(None, Some(&stored));
    super::changed(
        &mut write,
        ContentKind::Menu,
        stored.menu.id,
        &stored.menu.handle,
    );
    write.commit().await?;
    Ok(Ok(stored))
}

pub async fn update(writer: &Writer, id: Uuid, spec: MenuSpec) -> ApiResult<MenuOutcome> {
    let spec = match clean(spec) {
        Ok(spec) => spec,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut write = writer.begin().await?;
    let Some(menu) = menu::Entity::find_by_id(id).one(write.txn()).await? else {
        return Ok(Err(vec![not_found()]));
    };
    if let Some(handle) = &spec.handle
        && handle_taken(&write, handle, Some(id)).await?
    {
        return Ok(Err(vec![taken()]));
    }
    let before = StoredMenu {
        items: items_of(write.txn(), id).await?,
        menu: menu.clone(),
    };
    let mut active = menu.into_active_model();
    if let Some(handle) = spec.handle {
        active.handle = Set(handle);
    }
    if let Some(title) = spec.title {
        active.title = Set(title);
    }
    active.updated_at = Set(now());
    let menu = active.update(write.txn()).await?;
    if let Some(tree) = &spec.items {
        replace_items(&write, id, tree).await?;
    }
    let after = StoredMenu {
        items: items_of(write.txn(), id).await?,
        menu,
    };
    write.audit_target("Menu", id);
    write.audit_change(Some(&before), Some(&after));
    // The old handle's cached answer must go too when the handle changed.
    super::changed(&mut write, ContentKind::Menu, id, &before.menu.handle);
    write.commit().await?;
    Ok(Ok(after))
}

pub async fn delete(writer: &Writer, id: Uuid) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let mut write = writer.begin().await?;
    let Some(menu) = menu::Entity::find_by_id(id).one(write.txn()).await? else {
        return Ok(Err(vec![not_found()]));
    };
    let before = StoredMenu {
        items: items_of(write.txn(), id).await?,
        menu,
    };
    menu_item::Entity::delete_many()
        .filter(menu_item::Column::MenuId.eq(id))
        .exec(write.txn())
        .await?;
    menu::Entity::delete_by_id(id).exec(write.txn()).await?;
    write.audit_target("Menu", id);
    write.audit_change(Some(&before), None);
    super::changed(&mut write, ContentKind::Menu, id, &before.menu.handle);
    write.commit().await?;
    Ok(Ok(id))
}

/// The menu with this handle, with its items.
pub async fn by_handle(db: &impl ConnectionTrait, handle: &str) -> ApiResult<Option<StoredMenu>> {
    if text::has_nul(handle) {
        return Ok(None);
    }
    let Some(menu) = menu::Entity::find()
        .filter(menu::Column::Handle.eq(handle))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(StoredMenu {
        items: items_of(db, menu.id).await?,
        menu,
    }))
}
