//! Collections (issue 19): curated, ordered lists of products; a product may be in many.
//!
//! - `collections.handle` follows the products' slug rules and is unique: storefronts address
//!   a collection by it (`hidden-homepage-featured-items`).
//! - `collection_products` is the membership with its order. `position` is the product's place
//!   in the collection; the index (collection_id, position) reads a collection's page in order,
//!   the index on product_id reads a product's collections. Both foreign keys cascade: a
//!   deleted product or collection takes its memberships with it.

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
                    .table(Collections::Table)
                    .col(pk_uuid(Collections::Id))
                    .col(string_len(Collections::Handle, 160))
                    .col(string_len(Collections::Title, 255))
                    .col(text_null(Collections::Description))
                    .col(text_null(Collections::ImageUrl))
                    .col(string_len_null(Collections::ImageAlt, 255))
                    .col(string_len_null(Collections::SeoTitle, 255))
                    .col(string_len_null(Collections::SeoDescription, 1000))
                    .col(timestamp_with_time_zone(Collections::CreatedAt))
                    .col(timestamp_with_time_zone(Collections::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CollectionProducts::Table)
                    .col(uuid(CollectionProducts::CollectionId))
                    .col(uuid(CollectionProducts::ProductId))
                    .col(integer(CollectionProducts::Position))
                    .primary_key(
                        Index::create()
                            .col(CollectionProducts::CollectionId)
                            .col(CollectionProducts::ProductId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_collection_products_collection")
                            .from(CollectionProducts::Table, CollectionProducts::CollectionId)
                            .to(Collections::Table, Collections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_collection_products_product")
                            .from(CollectionProducts::Table, CollectionProducts::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
                unique_index(
                    "uq_collections_handle",
                    Collections::Table,
                    [Collections::Handle],
                ),
                // `collections` lists by title (then id).
                index(
                    "idx_collections_title",
                    Collections::Table,
                    [Collections::Title, Collections::Id],
                ),
                index(
                    "idx_collection_products_collection_id_position",
                    CollectionProducts::Table,
                    [
                        CollectionProducts::CollectionId,
                        CollectionProducts::Position,
                    ],
                ),
                index(
                    "idx_collection_products_product_id",
                    CollectionProducts::Table,
                    [CollectionProducts::ProductId],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                CollectionProducts::Table.into_iden(),
                Collections::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Collections {
    Table,
    Id,
    Handle,
    Title,
    Description,
    ImageUrl,
    ImageAlt,
    SeoTitle,
    SeoDescription,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CollectionProducts {
    Table,
    CollectionId,
    ProductId,
    Position,
}

/// Created by an earlier migration; named here so this file does not depend on it.
#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}
