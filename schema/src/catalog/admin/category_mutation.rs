//! Staff mutations of the category tree (MANAGE_PRODUCTS). Business failures are `userErrors`.

use super::categories::{self, CategoryChanges, NewCategory};
use crate::catalog::types::Category;
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use crate::error::ApiResult;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entities::category;
use uuid::Uuid;

/// A new category.
#[derive(InputObject, Clone, Debug)]
pub struct CategoryCreateInput {
    /// 1 to 255 characters (trimmed).
    pub name: String,
    /// Lower-case letters and digits in words joined by single dashes, at most 128
    /// characters; made from the name when omitted.
    pub slug: Option<String>,
    /// At most 10,000 characters; line breaks and tabs are kept.
    pub description: Option<String>,
    /// The parent category; top-level when omitted.
    pub parent_id: Option<ID>,
    /// Display order among siblings; after the last sibling when omitted.
    pub position: Option<i32>,
}

/// Changes to a category; omitted fields stay as they are.
#[derive(InputObject, Clone, Debug)]
pub struct CategoryUpdateInput {
    pub name: Option<String>,
    pub slug: Option<String>,
    /// `null` clears the description.
    pub description: MaybeUndefined<String>,
    /// Moves the category (with its subcategories) under another one; `null` makes it
    /// top-level. It cannot move under itself or one of its descendants.
    pub parent_id: MaybeUndefined<ID>,
    /// Display order among siblings; a moved category goes after its new siblings when
    /// omitted.
    pub position: Option<i32>,
}

/// The category created or updated, or why not.
#[derive(SimpleObject)]
pub struct CategoryPayload {
    pub category: Option<Category>,
    pub user_errors: Vec<UserError>,
}

/// The id of the deleted category, or why it was not deleted.
#[derive(SimpleObject)]
pub struct CategoryDeletePayload {
    pub deleted_category_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct CategoryMutation;

fn payload(
    ctx: &Context<'_>,
    outcome: Result<category::Model, Vec<UserError>>,
) -> ApiResult<CategoryPayload> {
    let currency = ctx.state()?.settings.default_currency;
    Ok(match outcome {
        Ok(model) => CategoryPayload {
            category: Some(Category::new(model, currency)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => CategoryPayload {
            category: None,
            user_errors,
        },
    })
}

fn optional_id(id: Option<&ID>, argument: &str) -> ApiResult<Option<Uuid>> {
    id.map(|id| parse_id(id, argument)).transpose()
}

#[Object]
impl CategoryMutation {
    /// Creates a category (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn category_create(
        &self,
        ctx: &Context<'_>,
        input: CategoryCreateInput,
    ) -> Result<CategoryPayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageProducts])?;
        let new = NewCategory {
            parent_id: optional_id(input.parent_id.as_ref(), "input.parentId")?,
            name: input.name,
            slug: input.slug,
            description: input.description,
            position: input.position,
        };
        let outcome = categories::create_category(&ctx.writer()?, new).await?;
        Ok(payload(ctx, outcome)?)
    }

    /// Updates a category; a new `parentId` moves it with its subcategories (staff with
    /// MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn category_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CategoryUpdateInput,
    ) -> Result<CategoryPayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageProducts])?;
        let id = parse_id(&id, "id")?;
        let parent_id = match input.parent_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(parent) => Some(Some(parse_id(&parent, "input.parentId")?)),
        };
        let changes = CategoryChanges {
            name: input.name,
            slug: input.slug,
            description: match input.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(description) => Some(Some(description)),
            },
            parent_id,
            position: input.position,
        };
        let outcome = categories::update_category(&ctx.writer()?, id, changes).await?;
        Ok(payload(ctx, outcome)?)
    }

    /// Deletes a category without subcategories; its products are left without a category
    /// (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn category_delete(&self, ctx: &Context<'_>, id: ID) -> Result<CategoryDeletePayload> {
        ctx.request()?
            .viewer
            .require_any(&[Permission::ManageProducts])?;
        let id = parse_id(&id, "id")?;
        Ok(
            match categories::delete_category(&ctx.writer()?, id).await? {
                Ok(deleted) => CategoryDeletePayload {
                    deleted_category_id: Some(ID(deleted.to_string())),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => CategoryDeletePayload {
                    deleted_category_id: None,
                    user_errors,
                },
            },
        )
    }
}
