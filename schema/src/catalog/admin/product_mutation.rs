//! Staff mutations of products and variants (MANAGE_PRODUCTS). Business failures are
//! `userErrors`.

use super::products::{self, NewProduct, ProductChanges};
use super::variants::{self, NewVariant, PriceInput, StockInput as StockEntry, VariantChanges};
use crate::catalog::types::{Product, ProductStatus, ProductVariant};
use crate::common::ids::parse_id;
use crate::common::money::{CurrencyCode, Decimal};
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use crate::error::ApiResult;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entities::json::NameValue;
use uuid::Uuid;

/// A variant's price in a currency.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct MoneyInput {
    /// Greater than 0, with at most the currency's decimal places.
    pub amount: Decimal,
    pub currency_code: CurrencyCode,
    /// The "was" price shown struck through: greater than `amount`. On update, omitted keeps
    /// the variant's current one in this currency and `null` clears it.
    pub compare_at_amount: MaybeUndefined<Decimal>,
}

/// Stock of a new variant in one warehouse.
#[derive(InputObject, Clone, Debug)]
pub struct StockInput {
    pub warehouse_id: ID,
    /// 0 or more.
    pub on_hand: i32,
}

/// One option of a variant, e.g. `Size: M`. Name and value: 1 to 255 characters, one line.
#[derive(InputObject, Clone, Debug)]
pub struct SelectedOptionInput {
    pub name: String,
    pub value: String,
}

/// A new variant.
#[derive(InputObject, Clone, Debug)]
pub struct ProductVariantInput {
    /// 1 to 64 letters, digits, dots, underscores or dashes; unique in the catalog.
    pub sku: String,
    /// The SKU when omitted.
    pub name: Option<String>,
    /// At most 20.
    pub options: Option<Vec<SelectedOptionInput>>,
    /// At least one, at most one per currency.
    pub prices: Vec<MoneyInput>,
    /// At most 100, one per warehouse.
    pub stock: Option<Vec<StockInput>>,
}

/// A new product.
#[derive(InputObject, Clone, Debug)]
pub struct ProductCreateInput {
    /// 1 to 255 characters (trimmed).
    pub name: String,
    /// Made from the name when omitted; unique.
    pub slug: Option<String>,
    /// At most 10,000 characters; line breaks and tabs are kept.
    pub description: Option<String>,
    /// At most 128 characters.
    pub brand: Option<String>,
    pub category_id: Option<ID>,
    /// DRAFT when omitted.
    pub status: Option<ProductStatus>,
    /// At most 100.
    pub variants: Option<Vec<ProductVariantInput>>,
    /// Facts for filtering and display (`Material: Cotton`); at most 50.
    pub attributes: Option<Vec<AttributeInput>>,
    /// At most 250, each 1 to 255 characters; trimmed, and repeats ignoring case dropped.
    pub tags: Option<Vec<String>>,
    /// HTML, at most 512 KiB; sanitised when saved (scripts, event handlers, images and
    /// `javascript:` links are removed).
    pub description_html: Option<String>,
    pub seo: Option<SeoInput>,
}

/// Search-engine overrides of a product. On update, omitted fields stay and `null` clears
/// (then the product's name and description are used).
#[derive(InputObject, Clone, Debug, Default)]
pub struct SeoInput {
    /// At most 255 characters, one line.
    pub title: MaybeUndefined<String>,
    /// At most 1,000 characters.
    pub description: MaybeUndefined<String>,
}

/// A product attribute. Name and value: 1 to 255 characters, one line.
#[derive(InputObject, Clone, Debug)]
pub struct AttributeInput {
    pub name: String,
    pub value: String,
}

/// Changes to a product; omitted fields stay as they are, `null` clears a field.
#[derive(InputObject, Clone, Debug)]
pub struct ProductUpdateInput {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: MaybeUndefined<String>,
    pub brand: MaybeUndefined<String>,
    pub category_id: MaybeUndefined<ID>,
    pub status: Option<ProductStatus>,
    /// Replaces the whole attribute list.
    pub attributes: Option<Vec<AttributeInput>>,
    /// Replaces the whole tag list.
    pub tags: Option<Vec<String>>,
    pub description_html: MaybeUndefined<String>,
    pub seo: Option<SeoInput>,
}

/// Changes to a variant; given `prices` replace its whole price list. Stock changes go
/// through `stockSet` and `stockAdjust`.
#[derive(InputObject, Clone, Debug)]
pub struct ProductVariantUpdateInput {
    pub sku: Option<String>,
    pub name: Option<String>,
    pub options: Option<Vec<SelectedOptionInput>>,
    pub prices: Option<Vec<MoneyInput>>,
}

/// The product created or updated, or why not.
#[derive(SimpleObject)]
pub struct ProductPayload {
    pub product: Option<Product>,
    pub user_errors: Vec<UserError>,
}

/// The id of the deleted product, or why it was not deleted.
#[derive(SimpleObject)]
pub struct ProductDeletePayload {
    pub deleted_product_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

/// The variant created or updated, or why not.
#[derive(SimpleObject)]
pub struct ProductVariantPayload {
    pub product_variant: Option<ProductVariant>,
    pub user_errors: Vec<UserError>,
}

/// The id of the deleted variant, or why it was not deleted.
#[derive(SimpleObject)]
pub struct ProductVariantDeletePayload {
    pub deleted_product_variant_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct ProductMutation;

fn require_staff(ctx: &Context<'_>) -> ApiResult<()> {
    ctx.request()?
        .viewer
        .require_any(&[Permission::ManageProducts])
}

fn attributes(list: Vec<AttributeInput>) -> Vec<NameValue> {
    list.into_iter()
        .map(|a| NameValue {
            name: a.name,
            value: a.value,
        })
        .collect()
}

fn options(options: Option<Vec<SelectedOptionInput>>) -> Vec<NameValue> {
    options
        .unwrap_or_default()
        .into_iter()
        .map(|o| NameValue {
            name: o.name,
            value: o.value,
        })
        .collect()
}

fn prices(prices: Vec<MoneyInput>) -> Vec<PriceInput> {
    prices
        .into_iter()
        .map(|p| PriceInput {
            amount: p.amount,
            currency: p.currency_code,
            compare_at: match p.compare_at_amount {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(amount) => Some(Some(amount)),
            },
        })
        .collect()
}

/// Parses the warehouse ids; `argument` is the input path of the variant.
fn new_variant(input: ProductVariantInput, argument: &str) -> ApiResult<NewVariant> {
    let stock = input
        .stock
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            Ok(StockEntry {
                warehouse_id: parse_id(
                    &s.warehouse_id,
                    &format!("{argument}.stock.{i}.warehouseId"),
                )?,
                on_hand: s.on_hand,
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(NewVariant {
        sku: input.sku,
        name: input.name,
        options: options(input.options),
        prices: prices(input.prices),
        stock,
    })
}

fn maybe<T, U>(
    value: MaybeUndefined<T>,
    f: impl FnOnce(T) -> ApiResult<U>,
) -> ApiResult<Option<Option<U>>> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v)?)),
    })
}

fn product_payload(
    ctx: &Context<'_>,
    outcome: Result<entities::product::Model, Vec<UserError>>,
) -> ApiResult<ProductPayload> {
    let currency = ctx.state()?.settings.default_currency;
    Ok(match outcome {
        Ok(model) => ProductPayload {
            product: Some(Product::new(model, currency)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => ProductPayload {
            product: None,
            user_errors,
        },
    })
}

fn variant_payload(
    ctx: &Context<'_>,
    outcome: Result<entities::product_variant::Model, Vec<UserError>>,
) -> ApiResult<ProductVariantPayload> {
    let currency = ctx.state()?.settings.default_currency;
    Ok(match outcome {
        Ok(model) => ProductVariantPayload {
            product_variant: Some(ProductVariant::new(model, currency)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => ProductVariantPayload {
            product_variant: None,
            user_errors,
        },
    })
}

fn deleted_id(outcome: &Result<Uuid, Vec<UserError>>) -> (Option<ID>, Vec<UserError>) {
    match outcome {
        Ok(id) => (Some(ID(id.to_string())), Vec::new()),
        Err(errors) => (None, errors.clone()),
    }
}

#[Object]
impl ProductMutation {
    /// Creates a product with its variants, prices and stock (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn product_create(
        &self,
        ctx: &Context<'_>,
        input: ProductCreateInput,
    ) -> Result<ProductPayload> {
        require_staff(ctx)?;
        let variants = input
            .variants
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, v)| new_variant(v, &format!("input.variants.{i}")))
            .collect::<ApiResult<_>>()?;
        let seo = input.seo.unwrap_or_default();
        let new = NewProduct {
            category_id: input
                .category_id
                .as_ref()
                .map(|id| parse_id(id, "input.categoryId"))
                .transpose()?,
            name: input.name,
            slug: input.slug,
            description: input.description,
            brand: input.brand,
            status: input.status.map(Into::into),
            variants,
            attributes: attributes(input.attributes.unwrap_or_default()),
            tags: input.tags.unwrap_or_default(),
            description_html: input.description_html,
            seo_title: seo.title.take(),
            seo_description: seo.description.take(),
        };
        let outcome = products::create_product(&ctx.writer()?, new).await?;
        Ok(product_payload(ctx, outcome)?)
    }

    /// Updates a product's own fields (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn product_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ProductUpdateInput,
    ) -> Result<ProductPayload> {
        require_staff(ctx)?;
        let id = parse_id(&id, "id")?;
        let seo = input.seo.unwrap_or_default();
        let changes = ProductChanges {
            name: input.name,
            slug: input.slug,
            description: maybe(input.description, Ok)?,
            brand: maybe(input.brand, Ok)?,
            category_id: maybe(input.category_id, |c| parse_id(&c, "input.categoryId"))?,
            status: input.status.map(Into::into),
            attributes: input.attributes.map(attributes),
            tags: input.tags,
            description_html: maybe(input.description_html, Ok)?,
            seo_title: maybe(seo.title, Ok)?,
            seo_description: maybe(seo.description, Ok)?,
        };
        let outcome = products::update_product(&ctx.writer()?, id, changes).await?;
        Ok(product_payload(ctx, outcome)?)
    }

    /// Deletes a product with its variants, prices and stock; refused while stock of one of
    /// its variants is allocated (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn product_delete(&self, ctx: &Context<'_>, id: ID) -> Result<ProductDeletePayload> {
        require_staff(ctx)?;
        let id = parse_id(&id, "id")?;
        let outcome = products::delete_product(&ctx.writer()?, id).await?;
        let (deleted_product_id, user_errors) = deleted_id(&outcome);
        Ok(ProductDeletePayload {
            deleted_product_id,
            user_errors,
        })
    }

    /// Adds a variant after the product's last one (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn product_variant_create(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        input: ProductVariantInput,
    ) -> Result<ProductVariantPayload> {
        require_staff(ctx)?;
        let product_id = parse_id(&product_id, "productId")?;
        let new = new_variant(input, "input")?;
        let outcome = variants::create_variant(&ctx.writer()?, product_id, new).await?;
        Ok(variant_payload(ctx, outcome)?)
    }

    /// Updates a variant; given prices replace its price list (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn product_variant_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ProductVariantUpdateInput,
    ) -> Result<ProductVariantPayload> {
        require_staff(ctx)?;
        let id = parse_id(&id, "id")?;
        let changes = VariantChanges {
            sku: input.sku,
            name: input.name,
            options: input.options.map(|o| options(Some(o))),
            prices: input.prices.map(prices),
        };
        let outcome = variants::update_variant(&ctx.writer()?, id, changes).await?;
        Ok(variant_payload(ctx, outcome)?)
    }

    /// Deletes a variant; refused while its stock is allocated (staff with MANAGE_PRODUCTS).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn product_variant_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<ProductVariantDeletePayload> {
        require_staff(ctx)?;
        let id = parse_id(&id, "id")?;
        let outcome = variants::delete_variant(&ctx.writer()?, id).await?;
        let (deleted_product_variant_id, user_errors) = deleted_id(&outcome);
        Ok(ProductVariantDeletePayload {
            deleted_product_variant_id,
            user_errors,
        })
    }
}
