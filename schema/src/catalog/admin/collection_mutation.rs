//! Staff mutations of collections (MANAGE_PRODUCTS): their fields, members and order.
//! Business failures are `userErrors`.

use super::collection_members::{self, MAX_IDS_PER_CALL};
use super::collections::{self, CollectionChanges, ImageFields, NewCollection, SeoFields};
use crate::catalog::types::Collection;
use crate::common::ids::{parse_id, parse_ids};
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entities::collection;
use uuid::Uuid;

/// A collection's image.
#[derive(InputObject, Clone, Debug)]
pub struct CollectionImageInput {
    /// An absolute http or https URL, at most 2,048 characters.
    pub url: String,
    /// At most 255 characters.
    pub alt_text: Option<String>,
}

impl From<CollectionImageInput> for ImageFields {
    fn from(input: CollectionImageInput) -> Self {
        Self {
            url: input.url,
            alt_text: input.alt_text,
        }
    }
}

/// A collection's SEO overrides; blank or omitted fields are none.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CollectionSeoInput {
    /// One line, at most 255 characters.
    pub title: Option<String>,
    /// One line, at most 1,000 characters.
    pub description: Option<String>,
}

impl From<CollectionSeoInput> for SeoFields {
    fn from(input: CollectionSeoInput) -> Self {
        Self {
            title: input.title,
            description: input.description,
        }
    }
}

/// A new collection (created empty: add products with `collectionProductsAdd`).
#[derive(InputObject, Clone, Debug)]
pub struct CollectionCreateInput {
    /// 1 to 255 characters (trimmed).
    pub title: String,
    /// Lower-case letters and digits in words joined by single dashes, at most 128
    /// characters; made from the title when omitted.
    pub handle: Option<String>,
    /// Plain text, at most 10,000 characters; line breaks and tabs are kept.
    pub description: Option<String>,
    pub image: Option<CollectionImageInput>,
    pub seo: Option<CollectionSeoInput>,
}

/// Changes to a collection; omitted fields stay as they are.
#[derive(InputObject, Clone, Debug)]
pub struct CollectionUpdateInput {
    pub title: Option<String>,
    pub handle: Option<String>,
    /// `null` clears the description.
    pub description: MaybeUndefined<String>,
    /// Replaces the image; `null` removes it.
    pub image: MaybeUndefined<CollectionImageInput>,
    /// Replaces both SEO fields (an omitted one is cleared); `null` clears both.
    pub seo: MaybeUndefined<CollectionSeoInput>,
}

/// The collection created or changed, or why not.
#[derive(SimpleObject)]
pub struct CollectionPayload {
    pub collection: Option<Collection>,
    pub user_errors: Vec<UserError>,
}

/// The id of the deleted collection, or why it was not deleted.
#[derive(SimpleObject)]
pub struct CollectionDeletePayload {
    pub deleted_collection_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct CollectionMutation;

fn payload(
    ctx: &Context<'_>,
    outcome: Result<collection::Model, Vec<UserError>>,
) -> ApiResult<CollectionPayload> {
    let currency = ctx.state()?.settings.default_currency;
    Ok(match outcome {
        Ok(model) => CollectionPayload {
            collection: Some(Collection::new(model, currency)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => CollectionPayload {
            collection: None,
            user_errors,
        },
    })
}

fn require_staff(ctx: &Context<'_>) -> ApiResult<()> {
    ctx.request()?
        .viewer
        .require_any(&[Permission::ManageProducts])
}

/// The collection and product ids of a membership change. A list far over the cap is refused
/// before its ids are parsed; the service reports the cap as a user error.
fn membership_ids(collection_id: &ID, product_ids: &[ID]) -> ApiResult<(Uuid, Vec<Uuid>)> {
    if product_ids.len() > MAX_IDS_PER_CALL * 4 {
        return Err(ApiError::bad_input(format!(
            "give at most {MAX_IDS_PER_CALL} product ids per call"
        )));
    }
    Ok((
        parse_id(collection_id, "collectionId")?,
        parse_ids(product_ids, "productIds")?,
    ))
}

#[Object]
impl CollectionMutation {
    /// Creates an empty collection (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn collection_create(
        &self,
        ctx: &Context<'_>,
        input: CollectionCreateInput,
    ) -> Result<CollectionPayload> {
        require_staff(ctx)?;
        let new = NewCollection {
            title: input.title,
            handle: input.handle,
            description: input.description,
            image: input.image.map(Into::into),
            seo: input.seo.map(Into::into),
        };
        let outcome = collections::create_collection(&ctx.writer()?, new).await?;
        Ok(payload(ctx, outcome)?)
    }

    /// Changes a collection's fields (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn collection_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CollectionUpdateInput,
    ) -> Result<CollectionPayload> {
        require_staff(ctx)?;
        let id = parse_id(&id, "id")?;
        let changes = CollectionChanges {
            title: input.title,
            handle: input.handle,
            description: match input.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(description) => Some(Some(description)),
            },
            image: match input.image {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(image) => Some(Some(image.into())),
            },
            seo: match input.seo {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(SeoFields::default()),
                MaybeUndefined::Value(seo) => Some(seo.into()),
            },
        };
        let outcome = collections::update_collection(&ctx.writer()?, id, changes).await?;
        Ok(payload(ctx, outcome)?)
    }

    /// Deletes a collection; its products stay (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn collection_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<CollectionDeletePayload> {
        require_staff(ctx)?;
        let id = parse_id(&id, "id")?;
        Ok(
            match collections::delete_collection(&ctx.writer()?, id).await? {
                Ok(deleted) => CollectionDeletePayload {
                    deleted_collection_id: Some(ID(deleted.to_string())),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => CollectionDeletePayload {
                    deleted_collection_id: None,
                    user_errors,
                },
            },
        )
    }

    /// Appends products (at most 250 ids a call) to a collection in the given order; ones
    /// already in it stay where they are. An unknown product id refuses the whole call. A
    /// collection holds at most 10,000 products (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn collection_products_add(
        &self,
        ctx: &Context<'_>,
        collection_id: ID,
        product_ids: Vec<ID>,
    ) -> Result<CollectionPayload> {
        require_staff(ctx)?;
        let (collection_id, product_ids) = membership_ids(&collection_id, &product_ids)?;
        let outcome =
            collection_members::add_products(&ctx.writer()?, collection_id, product_ids).await?;
        Ok(payload(ctx, outcome)?)
    }

    /// Takes products out of a collection (at most 250 ids a call); ids that are not in it
    /// are ignored (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn collection_products_remove(
        &self,
        ctx: &Context<'_>,
        collection_id: ID,
        product_ids: Vec<ID>,
    ) -> Result<CollectionPayload> {
        require_staff(ctx)?;
        let (collection_id, product_ids) = membership_ids(&collection_id, &product_ids)?;
        let outcome =
            collection_members::remove_products(&ctx.writer()?, collection_id, product_ids).await?;
        Ok(payload(ctx, outcome)?)
    }

    /// Moves the given members (at most 250, each once) to the front of the collection in
    /// the given order; the other members follow in their current order. Listing every
    /// member sets the whole order (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn collection_products_reorder(
        &self,
        ctx: &Context<'_>,
        collection_id: ID,
        product_ids: Vec<ID>,
    ) -> Result<CollectionPayload> {
        require_staff(ctx)?;
        let (collection_id, product_ids) = membership_ids(&collection_id, &product_ids)?;
        let outcome =
            collection_members::reorder_products(&ctx.writer()?, collection_id, product_ids)
                .await?;
        Ok(payload(ctx, outcome)?)
    }
}
