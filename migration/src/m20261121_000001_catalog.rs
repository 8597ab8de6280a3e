//! Catalog: categories, products, images, variants, prices, price ranges.

use crate::{create_indexes, drop_tables, index, unique_index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// The signatures must elide `SchemaManager`'s lifetime exactly as the (async_trait) trait does.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite has transactional DDL too: a failed run leaves nothing half-created.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .col(pk_uuid(Categories::Id))
                    .col(uuid_null(Categories::ParentId))
                    .col(string_len(Categories::Slug, 128))
                    .col(string_len(Categories::Name, 255))
                    .col(text_null(Categories::Description))
                    .col(text(Categories::Path))
                    .col(integer(Categories::Position).default(0))
                    .col(timestamp_with_time_zone(Categories::CreatedAt))
                    .col(timestamp_with_time_zone(Categories::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_categories_parent")
                            .from(Categories::Table, Categories::ParentId)
                            .to(Categories::Table, Categories::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
                unique_index("uq_categories_slug", Categories::Table, [Categories::Slug]),
                index(
                    "idx_categories_parent_id",
                    Categories::Table,
                    [Categories::ParentId],
                ),
                index("idx_categories_path", Categories::Table, [Categories::Path]),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(pk_uuid(Products::Id))
                    .col(uuid_null(Products::CategoryId))
                    .col(string_len(Products::Slug, 160))
                    .col(string_len(Products::Name, 255))
                    .col(text_null(Products::Description))
                    .col(string_len_null(Products::Brand, 128))
                    .col(string_len(Products::Status, 16))
                    .col(json_binary(Products::Attributes))
                    .col(integer(Products::Popularity).default(0))
                    .col(timestamp_with_time_zone(Products::CreatedAt))
                    .col(timestamp_with_time_zone(Products::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_products_category")
                            .from(Products::Table, Products::CategoryId)
                            .to(Categories::Table, Categories::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // Listing orders are keyset-paginated: each sort key ends with `id` as the tie-breaker.
        create_indexes(
            manager,
            [
                unique_index("uq_products_slug", Products::Table, [Products::Slug]),
                index(
                    "idx_products_status_id",
                    Products::Table,
                    [Products::Status, Products::Id],
                ),
                index(
                    "idx_products_status_name_id",
                    Products::Table,
                    [Products::Status, Products::Name, Products::Id],
                ),
                index(
                    "idx_products_status_created_at_id",
                    Products::Table,
                    [Products::Status, Products::CreatedAt, Products::Id],
                ),
                index(
                    "idx_products_category_id",
                    Products::Table,
                    [Products::CategoryId],
                ),
                index("idx_products_brand", Products::Table, [Products::Brand]),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProductImages::Table)
                    .col(pk_uuid(ProductImages::Id))
                    .col(uuid(ProductImages::ProductId))
                    .col(text(ProductImages::Url))
                    .col(string_len_null(ProductImages::AltText, 255))
                    .col(integer_null(ProductImages::Width))
                    .col(integer_null(ProductImages::Height))
                    .col(integer(ProductImages::Position).default(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_product_images_product")
                            .from(ProductImages::Table, ProductImages::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [index(
                "idx_product_images_product_id_position",
                ProductImages::Table,
                [ProductImages::ProductId, ProductImages::Position],
            )],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProductVariants::Table)
                    .col(pk_uuid(ProductVariants::Id))
                    .col(uuid(ProductVariants::ProductId))
                    .col(string_len(ProductVariants::Sku, 64))
                    .col(string_len(ProductVariants::Name, 255))
                    .col(json_binary(ProductVariants::Options))
                    .col(integer(ProductVariants::Position).default(0))
                    .col(integer_null(ProductVariants::LowStockThreshold))
                    .col(timestamp_with_time_zone(ProductVariants::CreatedAt))
                    .col(timestamp_with_time_zone(ProductVariants::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_product_variants_product")
                            .from(ProductVariants::Table, ProductVariants::ProductId)
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
                    "uq_product_variants_sku",
                    ProductVariants::Table,
                    [ProductVariants::Sku],
                ),
                index(
                    "idx_product_variants_product_id_position",
                    ProductVariants::Table,
                    [ProductVariants::ProductId, ProductVariants::Position],
                ),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(VariantPrices::Table)
                    .col(uuid(VariantPrices::VariantId))
                    .col(string_len(VariantPrices::CurrencyCode, 3))
                    .col(big_integer(VariantPrices::Amount))
                    .col(big_integer_null(VariantPrices::CompareAtAmount))
                    .primary_key(
                        Index::create()
                            .col(VariantPrices::VariantId)
                            .col(VariantPrices::CurrencyCode),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_variant_prices_variant")
                            .from(VariantPrices::Table, VariantPrices::VariantId)
                            .to(ProductVariants::Table, ProductVariants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProductPriceRanges::Table)
                    .col(uuid(ProductPriceRanges::ProductId))
                    .col(string_len(ProductPriceRanges::CurrencyCode, 3))
                    .col(big_integer(ProductPriceRanges::MinAmount))
                    .col(big_integer(ProductPriceRanges::MaxAmount))
                    .primary_key(
                        Index::create()
                            .col(ProductPriceRanges::ProductId)
                            .col(ProductPriceRanges::CurrencyCode),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_product_price_ranges_product")
                            .from(ProductPriceRanges::Table, ProductPriceRanges::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Price filter and price sort: range scan on one currency's minimum, product id last.
        create_indexes(
            manager,
            [index(
                "idx_product_price_ranges_currency_code_min_amount_product_id",
                ProductPriceRanges::Table,
                [
                    ProductPriceRanges::CurrencyCode,
                    ProductPriceRanges::MinAmount,
                    ProductPriceRanges::ProductId,
                ],
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                ProductPriceRanges::Table.into_iden(),
                VariantPrices::Table.into_iden(),
                ProductVariants::Table.into_iden(),
                ProductImages::Table.into_iden(),
                Products::Table.into_iden(),
                Categories::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Id,
    ParentId,
    Slug,
    Name,
    Description,
    Path,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    CategoryId,
    Slug,
    Name,
    Description,
    Brand,
    Status,
    Attributes,
    Popularity,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProductImages {
    Table,
    Id,
    ProductId,
    Url,
    AltText,
    Width,
    Height,
    Position,
}

#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
    ProductId,
    Sku,
    Name,
    Options,
    Position,
    LowStockThreshold,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum VariantPrices {
    Table,
    VariantId,
    CurrencyCode,
    Amount,
    CompareAtAmount,
}

#[derive(DeriveIden)]
enum ProductPriceRanges {
    Table,
    ProductId,
    CurrencyCode,
    MinAmount,
    MaxAmount,
}
