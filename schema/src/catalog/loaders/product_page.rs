//! A product looked up for its page (`product(id:)`, `product(slug:)`), read with its category,
//! the category's parent and its images in the same statement.
//!
//! A product page shows the category path and the images, so the lookup, the category and the
//! images were three statements, the last two after the first. Joined, they cost index probes
//! in the product's statement, and [`super::CategoryWithParent`] and [`super::ImagesOfProduct`]
//! find them in the request's cache.

use super::{CatalogLoader, CategoryWithParent, ImagesOfProduct, LoadResult};
use async_graphql::dataloader::Loader;
use entities::{category, product, product_image};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, DbErr, FromQueryResult, Iden, Iterable};
use std::sync::Arc;
use uuid::Uuid;

/// A product by id, with its category and images.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductPageById(pub Uuid);

/// A product by slug, with its category and images.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductPageBySlug(pub String);

/// The product; when it has one, its category with the category's parent (the value
/// `CategoryWithParent` holds for it); and its images.
#[derive(Clone, Debug)]
pub struct ProductPage {
    pub product: product::Model,
    pub category: Option<(
        CategoryWithParent,
        (category::Model, Option<category::Model>),
    )>,
    /// In display order: the value `ImagesOfProduct` holds for it.
    pub images: (ImagesOfProduct, Vec<product_image::Model>),
}

/// One element of the `images` column.
#[derive(serde::Deserialize)]
struct ImageEntry {
    /// Hexadecimal on SQLite, which keeps ids as 16-byte blobs that JSON cannot hold.
    id: String,
    url: String,
    alt_text: Option<String>,
    width: Option<i32>,
    height: Option<i32>,
    position: i32,
}

/// Column prefixes of the category and its parent in the joined row.
const CATEGORY: &str = "category_";
const PARENT: &str = "parent_";
/// The column of the product's images.
const IMAGES: &str = "images";

impl Loader<ProductPageById> for CatalogLoader {
    type Value = ProductPage;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ProductPageById]) -> LoadResult<ProductPageById, ProductPage> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let pages = self.product_pages(product::Column::Id.is_in(ids)).await?;
        Ok(pages
            .into_iter()
            .map(|page| (ProductPageById(page.product.id), page))
            .collect())
    }
}

impl Loader<ProductPageBySlug> for CatalogLoader {
    type Value = ProductPage;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ProductPageBySlug]) -> LoadResult<ProductPageBySlug, ProductPage> {
        let slugs: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let pages = self
            .product_pages(product::Column::Slug.is_in(slugs))
            .await?;
        Ok(pages
            .into_iter()
            .map(|page| (ProductPageBySlug(page.product.slug.clone()), page))
            .collect())
    }
}

impl CatalogLoader {
    async fn product_pages(&self, filter: Expr) -> Result<Vec<ProductPage>, DbErr> {
        let backend = self.db.get_database_backend();
        let statement = backend.build(&joined(filter, backend));
        let rows = self.db.query_all_raw(statement).await?;
        rows.iter()
            .map(|row| {
                let product = product::Model::from_query_result(row, "")?;
                let category = Option::<category::Model>::from_query_result(row, CATEGORY)?;
                let parent = Option::<category::Model>::from_query_result(row, PARENT)?;
                let images: String = row.try_get("", IMAGES)?;
                Ok(ProductPage {
                    category: category.map(|c| (CategoryWithParent(c.id), (c, parent))),
                    images: (
                        ImagesOfProduct(product.id),
                        decode_images(&product, &images)?,
                    ),
                    product,
                })
            })
            .collect()
    }
}

/// The images of the `images` column, in display order.
fn decode_images(
    product: &product::Model,
    images: &str,
) -> Result<Vec<product_image::Model>, DbErr> {
    let corrupt = |err: String| DbErr::Custom(format!("images of product {}: {err}", product.id));
    let entries: Vec<ImageEntry> =
        serde_json::from_str(images).map_err(|err| corrupt(err.to_string()))?;
    let mut images = entries
        .into_iter()
        .map(|entry| {
            Ok(product_image::Model {
                id: Uuid::parse_str(&entry.id).map_err(|err| corrupt(err.to_string()))?,
                product_id: product.id,
                url: entry.url,
                alt_text: entry.alt_text,
                width: entry.width,
                height: entry.height,
                position: entry.position,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    images.sort_by_key(|image| image.position);
    Ok(images)
}

/// The product's images as one JSON array (`[]` when it has none), by a correlated subquery
/// through `idx_product_images_product_id_position`. The aggregate differs by database.
fn images_as_json(backend: DbBackend) -> Expr {
    let sql = match backend {
        DbBackend::Postgres => {
            r#"(SELECT COALESCE(json_agg(json_build_object('id', "product_images"."id"::text, 'url', "product_images"."url", 'alt_text', "product_images"."alt_text", 'width', "product_images"."width", 'height', "product_images"."height", 'position', "product_images"."position")), '[]')::text FROM "product_images" WHERE "product_images"."product_id" = "products"."id")"#
        }
        _ => {
            r#"(SELECT json_group_array(json_object('id', hex("product_images"."id"), 'url', "product_images"."url", 'alt_text', "product_images"."alt_text", 'width', "product_images"."width", 'height', "product_images"."height", 'position', "product_images"."position")) FROM "product_images" WHERE "product_images"."product_id" = "products"."id")"#
        }
    };
    Expr::cust(sql)
}

/// `SELECT products.*, category.* AS category_…, parent.* AS parent_…, (images as JSON) FROM
/// products LEFT JOIN categories AS category … LEFT JOIN categories AS parent … WHERE filter`.
fn joined(filter: Expr, backend: DbBackend) -> SelectStatement {
    let category_alias = Alias::new("category");
    let parent_alias = Alias::new("parent");
    let mut select = Query::select();
    select
        .columns(product::Column::iter().map(|c| (product::Entity, c)))
        .from(product::Entity)
        .join_as(
            JoinType::LeftJoin,
            category::Entity,
            category_alias.clone(),
            Expr::col((category_alias.clone(), category::Column::Id))
                .equals((product::Entity, product::Column::CategoryId)),
        )
        .join_as(
            JoinType::LeftJoin,
            category::Entity,
            parent_alias.clone(),
            Expr::col((parent_alias.clone(), category::Column::Id))
                .equals((category_alias.clone(), category::Column::ParentId)),
        )
        .and_where(filter)
        .expr_as(images_as_json(backend), Alias::new(IMAGES));
    for column in category::Column::iter() {
        let name = column.to_string();
        select.expr_as(
            Expr::col((category_alias.clone(), column)),
            Alias::new(format!("{CATEGORY}{name}")),
        );
        select.expr_as(
            Expr::col((parent_alias.clone(), column)),
            Alias::new(format!("{PARENT}{name}")),
        );
    }
    select
}
