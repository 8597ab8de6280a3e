//! Storefront content (issue 19): navigation menus and static pages.
//!
//! - `menus`: a named navigation tree (`handle` is what a storefront asks for).
//! - `menu_items`: the tree's nodes; `parent_id` null for top-level items, ordered by
//!   `position` among siblings. `resource_id` names the linked product, page, category or
//!   collection without a foreign key: the target may be deleted, the item then has no link.
//!   `url` is the link of URL items (and, until collections land, of COLLECTION items).
//! - `pages`: static pages; `body_html` is stored already sanitised.

use crate::{create_indexes, drop_tables, index, unique_index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Menus::Table)
                    .col(pk_uuid(Menus::Id))
                    .col(string_len(Menus::Handle, 160))
                    .col(string_len(Menus::Title, 255))
                    .col(timestamp_with_time_zone(Menus::CreatedAt))
                    .col(timestamp_with_time_zone(Menus::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MenuItems::Table)
                    .col(pk_uuid(MenuItems::Id))
                    .col(uuid(MenuItems::MenuId))
                    .col(uuid_null(MenuItems::ParentId))
                    .col(string_len(MenuItems::Title, 255))
                    .col(string_len(MenuItems::Kind, 16))
                    .col(uuid_null(MenuItems::ResourceId))
                    .col(string_len_null(MenuItems::Url, 2048))
                    .col(integer(MenuItems::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_menu_items_menus")
                            .from(MenuItems::Table, MenuItems::MenuId)
                            .to(Menus::Table, Menus::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_menu_items_parent")
                            .from(MenuItems::Table, MenuItems::ParentId)
                            .to(MenuItems::Table, MenuItems::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Pages::Table)
                    .col(pk_uuid(Pages::Id))
                    .col(string_len(Pages::Handle, 160))
                    .col(string_len(Pages::Title, 255))
                    .col(text(Pages::BodyHtml))
                    .col(string_len_null(Pages::Summary, 1000))
                    .col(string_len_null(Pages::SeoTitle, 255))
                    .col(string_len_null(Pages::SeoDescription, 1000))
                    .col(boolean(Pages::Published).default(true))
                    .col(timestamp_with_time_zone(Pages::CreatedAt))
                    .col(timestamp_with_time_zone(Pages::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
                unique_index("uq_menus_handle", Menus::Table, [Menus::Handle]),
                index(
                    "idx_menu_items_menu_id_parent_id_position",
                    MenuItems::Table,
                    [MenuItems::MenuId, MenuItems::ParentId, MenuItems::Position],
                ),
                unique_index("uq_pages_handle", Pages::Table, [Pages::Handle]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                Pages::Table.into_iden(),
                MenuItems::Table.into_iden(),
                Menus::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Menus {
    Table,
    Id,
    Handle,
    Title,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MenuItems {
    Table,
    Id,
    MenuId,
    ParentId,
    Title,
    Kind,
    ResourceId,
    Url,
    Position,
}

#[derive(DeriveIden)]
enum Pages {
    Table,
    Id,
    Handle,
    Title,
    BodyHtml,
    Summary,
    SeoTitle,
    SeoDescription,
    Published,
    CreatedAt,
    UpdatedAt,
}
