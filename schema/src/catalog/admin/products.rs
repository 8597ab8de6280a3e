//! Staff changes to products: create (with variants, prices and stock), update, delete.
//!
//! A create writes the product, its variants, their prices and stock levels and the product's
//! price ranges in one transaction; every refusal is found before the first write, so a
//! refused input changes nothing.

use super::variants::{
    CleanVariant, NewVariant, Problems, SKU_TAKEN, check_warehouses, clean_variant, lock_product,
    refuse, skus_in_use,
};
use crate::common::clock::now;
use crate::common::slug::{MAX_SLUG_LEN, is_valid_slug, slugify};
use crate::common::transaction::begin_write;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use chrono::{DateTime, Utc};
use entities::enums::ProductStatus;
use entities::json::NameValueList;
use entities::{
    category, product, product_price_range, product_variant, stock_level, variant_price,
};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use std::collections::HashSet;
use uuid::Uuid;

/// Longest product name (the column is `varchar(255)`).
pub const MAX_NAME_LEN: usize = 255;
/// Longest brand (the column is `varchar(128)`).
pub const MAX_BRAND_LEN: usize = 128;
/// Most variants one create may give.
pub const MAX_VARIANTS: usize = 100;
const SLUG_RULE: &str = "use lower-case letters and digits in words joined by single dashes";

/// What a new product gives. `category_id` is already parsed.
#[derive(Clone, Debug, Default)]
pub struct NewProduct {
    pub name: String,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub brand: Option<String>,
    pub category_id: Option<Uuid>,
    pub status: Option<ProductStatus>,
    pub variants: Vec<NewVariant>,
}

/// What a product update changes; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct ProductChanges {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<Option<String>>,
    pub brand: Option<Option<String>>,
    pub category_id: Option<Option<Uuid>>,
    pub status: Option<ProductStatus>,
}

fn clean_name(name: &str, p: &mut Problems<'_>) -> String {
    let name = name.trim().to_owned();
    let len = name.chars().count();
    if len == 0 || len > MAX_NAME_LEN || name.chars().any(char::is_control) {
        p.invalid(
            &["name"],
            format!("use 1 to {MAX_NAME_LEN} printable characters"),
        );
    }
    name
}

fn check_slug(slug: &str, p: &mut Problems<'_>) -> bool {
    let valid = is_valid_slug(slug);
    if !valid {
        p.invalid(
            &["slug"],
            format!("{SLUG_RULE}, at most {MAX_SLUG_LEN} characters"),
        );
    }
    valid
}

fn clean_text(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

fn clean_brand(brand: Option<String>, p: &mut Problems<'_>) -> Option<String> {
    let brand = clean_text(brand);
    if let Some(b) = &brand
        && (b.chars().count() > MAX_BRAND_LEN || b.chars().any(char::is_control))
    {
        p.invalid(
            &["brand"],
            format!("use at most {MAX_BRAND_LEN} printable characters"),
        );
    }
    brand
}

fn slug_taken() -> UserError {
    let message = "another product already uses this slug";
    UserError::new(&["input", "slug"], ErrorCode::Taken, message)
}

fn product_not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no such product")
}

/// A slug or SKU taken by a concurrent write after the checks.
fn taken_concurrently() -> UserError {
    let message = "the slug or a SKU was just taken by another change; try again";
    UserError::new(&["input"], ErrorCode::Taken, message)
}

async fn slug_in_use(
    db: &impl ConnectionTrait,
    slug: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let mut select = product::Entity::find().filter(product::Column::Slug.eq(slug));
    if let Some(id) = except {
        select = select.filter(product::Column::Id.ne(id));
    }
    Ok(select.count(db).await? > 0)
}

/// Adds NOT_FOUND when the category does not exist (locked `FOR SHARE` so it stays).
async fn check_category(
    db: &impl ConnectionTrait,
    id: Uuid,
    errors: &mut Vec<UserError>,
) -> ApiResult<()> {
    let category = category::Entity::find_by_id(id)
        .lock_shared()
        .one(db)
        .await?;
    if category.is_none() {
        let error = UserError::new(
            &["input", "categoryId"],
            ErrorCode::NotFound,
            "no such category",
        );
        errors.push(error);
    }
    Ok(())
}

/// Creates a product with its variants. Returns the user errors instead when the input is
/// refused; then nothing is written.
pub async fn create_product(
    db: &DatabaseConnection,
    input: NewProduct,
) -> ApiResult<Result<product::Model, Vec<UserError>>> {
    let (input_path, mut errors) = (["input".to_owned()], Vec::new());
    let p = &mut Problems::new(&input_path, &mut errors);
    let name = clean_name(&input.name, p);
    let slug = match input.slug {
        Some(slug) => slug.trim().to_owned(),
        None => slugify(&name),
    };
    let slug_ok = check_slug(&slug, p);
    let description = clean_text(input.description);
    let brand = clean_brand(input.brand, p);
    if input.variants.len() > MAX_VARIANTS {
        p.invalid(&["variants"], format!("at most {MAX_VARIANTS} variants"));
    }
    let mut variants: Vec<(Vec<String>, CleanVariant)> = Vec::new();
    let mut skus = HashSet::new();
    for (i, variant) in input.variants.into_iter().enumerate() {
        let prefix = vec!["input".to_owned(), "variants".to_owned(), i.to_string()];
        let p = &mut Problems::new(&prefix, &mut errors);
        let variant = clean_variant(variant, p);
        if !variant.sku.is_empty() && !skus.insert(variant.sku.clone()) {
            let message = "another variant of this input uses this SKU";
            p.add(&["sku"], ErrorCode::Taken, message);
        }
        variants.push((prefix, variant));
    }

    let txn = begin_write(db).await?;
    if slug_ok && slug_in_use(&txn, &slug, None).await? {
        errors.push(slug_taken());
    }
    if let Some(category_id) = input.category_id {
        check_category(&txn, category_id, &mut errors).await?;
    }
    let skus: Vec<String> = skus.into_iter().collect();
    let taken = skus_in_use(&txn, &skus, None).await?;
    for (prefix, variant) in &variants {
        let p = &mut Problems::new(prefix, &mut errors);
        if taken.contains(&variant.sku) {
            p.add(&["sku"], ErrorCode::Taken, SKU_TAKEN);
        }
        check_warehouses(&txn, variant, p).await?;
    }
    if !errors.is_empty() {
        return refuse(txn, errors).await;
    }

    let id = Uuid::now_v7();
    let now = now();
    let row = product::ActiveModel {
        id: Set(id),
        category_id: Set(input.category_id),
        slug: Set(slug),
        name: Set(name),
        description: Set(description),
        brand: Set(brand),
        status: Set(input.status.unwrap_or(ProductStatus::Draft)),
        attributes: Set(NameValueList::default()),
        popularity: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let written = async {
        let model = row.insert(&txn).await?;
        for (position, (_, variant)) in variants.into_iter().enumerate() {
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            insert_variant(&txn, id, position, variant, now).await?;
        }
        refresh_price_ranges(&txn, id).await?;
        Ok::<_, sea_orm::DbErr>(model)
    }
    .await;
    match written {
        Ok(model) => {
            txn.commit().await?;
            Ok(Ok(model))
        }
        // Two creates racing for one slug or SKU: the unique indexes decide.
        Err(err) if is_unique_violation(&err) => refuse(txn, vec![taken_concurrently()]).await,
        Err(err) => Err(err.into()),
    }
}

/// Updates a product's own fields. Returns the user errors instead when refused.
pub async fn update_product(
    db: &DatabaseConnection,
    id: Uuid,
    changes: ProductChanges,
) -> ApiResult<Result<product::Model, Vec<UserError>>> {
    let (input_path, mut errors) = (["input".to_owned()], Vec::new());
    let p = &mut Problems::new(&input_path, &mut errors);
    let name = changes.name.map(|n| clean_name(&n, p));
    let slug = changes.slug.map(|s| s.trim().to_owned());
    let slug_ok = slug.as_deref().is_none_or(|s| check_slug(s, p));
    let brand = changes.brand.map(|b| clean_brand(b, p));

    let txn = begin_write(db).await?;
    let Some(current) = lock_product(&txn, id).await? else {
        return refuse(txn, vec![product_not_found()]).await;
    };
    if slug_ok
        && let Some(slug) = &slug
        && slug_in_use(&txn, slug, Some(id)).await?
    {
        errors.push(slug_taken());
    }
    if let Some(Some(category_id)) = changes.category_id {
        check_category(&txn, category_id, &mut errors).await?;
    }
    if !errors.is_empty() {
        return refuse(txn, errors).await;
    }

    let mut row: product::ActiveModel = current.into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(slug) = slug {
        row.slug = Set(slug);
    }
    if let Some(description) = changes.description {
        row.description = Set(clean_text(description));
    }
    if let Some(brand) = brand {
        row.brand = Set(brand);
    }
    if let Some(category_id) = changes.category_id {
        row.category_id = Set(category_id);
    }
    if let Some(status) = changes.status {
        row.status = Set(status);
    }
    row.updated_at = Set(now());
    match row.update(&txn).await {
        Ok(model) => {
            txn.commit().await?;
            Ok(Ok(model))
        }
        Err(err) if is_unique_violation(&err) => refuse(txn, vec![slug_taken()]).await,
        Err(err) => Err(err.into()),
    }
}

/// Deletes a product with its variants, prices, stock levels and price ranges (cascades;
/// order lines keep their snapshot). Refused while stock of a variant is allocated.
pub async fn delete_product(
    db: &DatabaseConnection,
    id: Uuid,
) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let txn = begin_write(db).await?;
    if lock_product(&txn, id).await?.is_none() {
        return refuse(txn, vec![product_not_found()]).await;
    }
    let variant_ids: Vec<Uuid> = product_variant::Entity::find()
        .select_only()
        .column(product_variant::Column::Id)
        .filter(product_variant::Column::ProductId.eq(id))
        .lock_exclusive()
        .into_tuple()
        .all(&txn)
        .await?;
    if has_allocations(&txn, variant_ids).await? {
        return refuse(txn, vec![allocated("a variant has")]).await;
    }
    product::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    Ok(Ok(id))
}

/// Recomputes the product's rows of `product_price_ranges` from its variants' prices.
pub async fn refresh_price_ranges(
    db: &impl ConnectionTrait,
    product_id: Uuid,
) -> Result<(), sea_orm::DbErr> {
    product_price_range::Entity::delete_many()
        .filter(product_price_range::Column::ProductId.eq(product_id))
        .exec(db)
        .await?;
    let ranges: Vec<(String, i64, i64)> = variant_price::Entity::find()
        .select_only()
        .column(variant_price::Column::CurrencyCode)
        .expr(Func::min(Expr::col(variant_price::Column::Amount)))
        .expr(Func::max(Expr::col(variant_price::Column::Amount)))
        .inner_join(product_variant::Entity)
        .filter(product_variant::Column::ProductId.eq(product_id))
        .group_by(variant_price::Column::CurrencyCode)
        .into_tuple()
        .all(db)
        .await?;
    if !ranges.is_empty() {
        product_price_range::Entity::insert_many(ranges.into_iter().map(|(currency, min, max)| {
            product_price_range::ActiveModel {
                product_id: Set(product_id),
                currency_code: Set(currency),
                min_amount: Set(min),
                max_amount: Set(max),
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Whether any of the variants has allocated stock (then it may not be deleted).
pub(crate) async fn has_allocations(
    db: &impl ConnectionTrait,
    variant_ids: Vec<Uuid>,
) -> ApiResult<bool> {
    if variant_ids.is_empty() {
        return Ok(false);
    }
    let count = stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.is_in(variant_ids))
        .filter(stock_level::Column::Allocated.gt(0))
        .lock_exclusive()
        .count(db)
        .await?;
    Ok(count > 0)
}

/// Inserts a checked variant with its prices and stock levels (price ranges are not touched).
pub(crate) async fn insert_variant(
    db: &impl ConnectionTrait,
    product_id: Uuid,
    position: i32,
    variant: CleanVariant,
    now: DateTime<Utc>,
) -> Result<product_variant::Model, sea_orm::DbErr> {
    let id = Uuid::now_v7();
    let model = product_variant::ActiveModel {
        id: Set(id),
        product_id: Set(product_id),
        sku: Set(variant.sku),
        name: Set(variant.name),
        options: Set(variant.options),
        position: Set(position),
        low_stock_threshold: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    insert_prices(db, id, &variant.prices).await?;
    if !variant.stock.is_empty() {
        stock_level::Entity::insert_many(variant.stock.iter().map(|s| stock_level::ActiveModel {
            variant_id: Set(id),
            warehouse_id: Set(s.warehouse_id),
            on_hand: Set(s.on_hand),
            allocated: Set(0),
            updated_at: Set(now),
        }))
        .exec(db)
        .await?;
    }
    Ok(model)
}

pub(crate) async fn insert_prices(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    prices: &[(String, i64)],
) -> Result<(), sea_orm::DbErr> {
    if !prices.is_empty() {
        variant_price::Entity::insert_many(prices.iter().map(|(currency, amount)| {
            variant_price::ActiveModel {
                variant_id: Set(variant_id),
                currency_code: Set(currency.clone()),
                amount: Set(*amount),
                compare_at_amount: Set(None),
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Refusal of a delete while stock is allocated; `subject` is "the variant has" or similar.
pub(crate) fn allocated(subject: &str) -> UserError {
    let message = format!("{subject} stock allocated to orders; fulfil or cancel them first");
    UserError::new(&["id"], ErrorCode::Invalid, message)
}
