//! A product looked up for its page (`product(id:)`, `product(slug:)`), read with its category
//! and the category's parent in the same statement.
//!
//! A product page shows the category path, so the lookup and the category were two round
//! trips, one after the other. Joined, the page's category costs two index probes in the
//! product's statement, and [`super::CategoryWithParent`] finds it in the request's cache.

use super::{CatalogLoader, CategoryWithParent, LoadResult};
use async_graphql::dataloader::Loader;
use entities::{category, product};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, FromQueryResult, Iden, Iterable};
use std::sync::Arc;
use uuid::Uuid;

/// A product by id, with its category.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductPageById(pub Uuid);

/// A product by slug, with its category.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductPageBySlug(pub String);

/// The product and, when it has one, its category with the category's parent: the value
/// `CategoryWithParent` holds for it.
#[derive(Clone, Debug)]
pub struct ProductPage {
    pub product: product::Model,
    pub category: Option<(
        CategoryWithParent,
        (category::Model, Option<category::Model>),
    )>,
}

/// Column prefixes of the category and its parent in the joined row.
const CATEGORY: &str = "category_";
const PARENT: &str = "parent_";

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
        let statement = self.db.get_database_backend().build(&joined(filter));
        let rows = self.db.query_all_raw(statement).await?;
        rows.iter()
            .map(|row| {
                let product = product::Model::from_query_result(row, "")?;
                let category = Option::<category::Model>::from_query_result(row, CATEGORY)?;
                let parent = Option::<category::Model>::from_query_result(row, PARENT)?;
                Ok(ProductPage {
                    category: category.map(|c| (CategoryWithParent(c.id), (c, parent))),
                    product,
                })
            })
            .collect()
    }
}

/// `SELECT products.*, category.* AS category_…, parent.* AS parent_… FROM products LEFT JOIN
/// categories AS category … LEFT JOIN categories AS parent … WHERE filter`.
fn joined(filter: Expr) -> SelectStatement {
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
        .and_where(filter);
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
