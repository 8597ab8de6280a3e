use super::{ProductConnection, ProductFilter, ProductSortKey};
use crate::catalog::loaders::{CategoryById, ChildrenOfCategory};
use crate::catalog::query::category_products_page;
use crate::common::money::CurrencyCode;
use crate::common::pagination::PageArgs;
use crate::context::ContextExt;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entities::category;

/// A node of the category tree.
pub struct Category {
    pub model: category::Model,
    pub currency: CurrencyCode,
    /// The parent when it was read together with the category (`CategoryWithParent`), which
    /// saves `parent` a statement; otherwise `parent` loads it.
    parent: Option<category::Model>,
}

impl Category {
    pub fn new(model: category::Model, currency: CurrencyCode) -> Self {
        Self {
            model,
            currency,
            parent: None,
        }
    }

    /// A category whose parent was read with it.
    pub fn with_parent(
        model: category::Model,
        parent: Option<category::Model>,
        currency: CurrencyCode,
    ) -> Self {
        Self {
            model,
            currency,
            parent,
        }
    }
}

#[Object]
impl Category {
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }

    async fn slug(&self) -> &str {
        &self.model.slug
    }

    async fn name(&self) -> &str {
        &self.model.name
    }

    async fn description(&self) -> Option<&str> {
        self.model.description.as_deref()
    }

    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Category>> {
        let Some(parent_id) = self.model.parent_id else {
            return Ok(None);
        };
        if let Some(parent) = self.parent.as_ref().filter(|p| p.id == parent_id) {
            return Ok(Some(Category::new(parent.clone(), self.currency)));
        }
        let parent = ctx
            .request()?
            .catalog
            .load_one(CategoryById(parent_id))
            .await?;
        Ok(parent.map(|c| Category::new(c, self.currency)))
    }

    /// Direct children in display order.
    #[graphql(complexity = "10 * child_complexity")]
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        let children = ctx
            .request()?
            .catalog
            .load_one(ChildrenOfCategory(self.model.id))
            .await?
            .unwrap_or_default();
        Ok(children
            .into_iter()
            .map(|c| Category::new(c, self.currency))
            .collect())
    }

    /// Products of this category and all its descendants.
    #[graphql(
        complexity = "first.or(last).unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ProductFilter>,
        sort_key: Option<ProductSortKey>,
        reverse: Option<bool>,
        currency: Option<CurrencyCode>,
    ) -> Result<ProductConnection> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        let currency = currency.unwrap_or(self.currency);
        let filter = filter.unwrap_or_default();
        Ok(category_products_page(
            ctx,
            self.model.id,
            page,
            filter,
            sort_key,
            reverse,
            currency,
        )
        .await?)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
}
