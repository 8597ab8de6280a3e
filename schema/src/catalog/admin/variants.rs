//! Staff changes to product variants: validation shared with product creation, variant
//! create / update / delete, and the `product_price_ranges` upkeep.
//!
//! Every write locks the product row first (`FOR UPDATE`), then its variants, so two changes
//! to one product's variants run one after the other and its price ranges are recomputed from
//! committed prices. SQLite runs write transactions one at a time (`begin_write`).

use super::products::{
    allocated, has_allocations, insert_prices, insert_variant, refresh_price_ranges,
};
use crate::common::clock::now;
use crate::common::money::{CurrencyCode, Decimal};
use crate::common::transaction::begin_write;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use entities::json::{NameValue, NameValueList};
use entities::{product, product_variant, variant_price, warehouse};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QuerySelect, Set,
};
use std::collections::HashSet;
use uuid::Uuid;

/// Longest SKU (the column is `varchar(64)`).
pub const MAX_SKU_LEN: usize = 64;
/// Longest variant name (the column is `varchar(255)`).
pub const MAX_VARIANT_NAME_LEN: usize = 255;

/// One price as given: an amount in a currency.
#[derive(Clone, Copy, Debug)]
pub struct PriceInput {
    pub amount: Decimal,
    pub currency: CurrencyCode,
}

/// Stock of a new variant in one warehouse.
#[derive(Clone, Copy, Debug)]
pub struct StockInput {
    pub warehouse_id: Uuid,
    pub on_hand: i32,
}

/// What a new variant gives.
#[derive(Clone, Debug, Default)]
pub struct NewVariant {
    pub sku: String,
    pub name: Option<String>,
    pub options: Vec<NameValue>,
    pub prices: Vec<PriceInput>,
    pub stock: Vec<StockInput>,
}

/// What a variant update changes; `None` leaves a field as it is. `prices` replaces the list.
#[derive(Clone, Debug, Default)]
pub struct VariantChanges {
    pub sku: Option<String>,
    pub name: Option<String>,
    pub options: Option<Vec<NameValue>>,
    pub prices: Option<Vec<PriceInput>>,
}

/// A variant that passed the checks needing no database.
#[derive(Clone, Debug)]
pub(crate) struct CleanVariant {
    pub sku: String,
    pub name: String,
    pub options: NameValueList,
    /// (currency code, minor units)
    pub prices: Vec<(String, i64)>,
    pub stock: Vec<StockInput>,
}

/// Collects user errors under a field path prefix (`["input", "variants", "0"]`).
pub(crate) struct Problems<'a> {
    pub prefix: &'a [String],
    pub errors: &'a mut Vec<UserError>,
}

impl<'a> Problems<'a> {
    pub fn new(prefix: &'a [String], errors: &'a mut Vec<UserError>) -> Self {
        Self { prefix, errors }
    }

    pub fn add(&mut self, tail: &[&str], code: ErrorCode, message: impl Into<String>) {
        let path: Vec<&str> = self
            .prefix
            .iter()
            .map(String::as_str)
            .chain(tail.iter().copied())
            .collect();
        self.errors.push(UserError::new(&path, code, message));
    }

    pub fn invalid(&mut self, tail: &[&str], message: impl Into<String>) {
        self.add(tail, ErrorCode::Invalid, message);
    }
}

fn clean_sku(sku: &str, p: &mut Problems<'_>) -> String {
    let sku = sku.trim().to_owned();
    let valid = (1..=MAX_SKU_LEN).contains(&sku.chars().count())
        && sku
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid {
        p.invalid(
            &["sku"],
            format!("use 1 to {MAX_SKU_LEN} letters, digits, dots, underscores or dashes"),
        );
    }
    sku
}

fn clean_name(name: &str, p: &mut Problems<'_>) -> String {
    let name = name.trim().to_owned();
    let len = name.chars().count();
    if len == 0 || len > MAX_VARIANT_NAME_LEN || name.chars().any(char::is_control) {
        p.invalid(
            &["name"],
            format!("use 1 to {MAX_VARIANT_NAME_LEN} printable characters"),
        );
    }
    name
}

fn clean_options(options: Vec<NameValue>, p: &mut Problems<'_>) -> NameValueList {
    let mut clean = Vec::with_capacity(options.len());
    for (i, option) in options.into_iter().enumerate() {
        let (name, value) = (
            option.name.trim().to_owned(),
            option.value.trim().to_owned(),
        );
        for (field, text) in [("name", &name), ("value", &value)] {
            if text.is_empty() || text.chars().count() > 255 {
                p.invalid(
                    &["options", &i.to_string(), field],
                    "use 1 to 255 characters",
                );
            }
        }
        clean.push(NameValue { name, value });
    }
    NameValueList(clean)
}

fn clean_prices(prices: &[PriceInput], p: &mut Problems<'_>) -> Vec<(String, i64)> {
    if prices.is_empty() {
        p.invalid(&["prices"], "give at least one price");
    }
    let mut seen = HashSet::new();
    let mut clean = Vec::with_capacity(prices.len());
    for (i, price) in prices.iter().enumerate() {
        let index = i.to_string();
        match price.amount.to_minor(price.currency) {
            Ok(minor) if minor > 0 => clean.push((price.currency.as_str().to_owned(), minor)),
            Ok(_) => p.invalid(&["prices", &index, "amount"], "must be greater than 0"),
            Err(err) => p.invalid(&["prices", &index, "amount"], err.to_string()),
        }
        if !seen.insert(price.currency) {
            let message = format!(
                "{} is given twice; one price per currency",
                price.currency.as_str()
            );
            p.invalid(&["prices", &index, "currencyCode"], message);
        }
    }
    clean
}

/// Checks a new variant without the database (SKU and warehouses are checked later).
pub(crate) fn clean_variant(input: NewVariant, p: &mut Problems<'_>) -> CleanVariant {
    let sku = clean_sku(&input.sku, p);
    let name = match input.name {
        Some(name) => clean_name(&name, p),
        None => sku.clone(),
    };
    let options = clean_options(input.options, p);
    let prices = clean_prices(&input.prices, p);
    let mut warehouses = HashSet::new();
    for (i, stock) in input.stock.iter().enumerate() {
        let index = i.to_string();
        if stock.on_hand < 0 {
            p.invalid(&["stock", &index, "onHand"], "must be 0 or more");
        }
        if !warehouses.insert(stock.warehouse_id) {
            p.invalid(
                &["stock", &index, "warehouseId"],
                "this warehouse is given twice",
            );
        }
    }
    CleanVariant {
        sku,
        name,
        options,
        prices,
        stock: input.stock,
    }
}

/// The SKUs among `skus` that a variant other than `except` already has.
pub(crate) async fn skus_in_use(
    db: &impl ConnectionTrait,
    skus: &[String],
    except: Option<Uuid>,
) -> ApiResult<HashSet<String>> {
    if skus.is_empty() {
        return Ok(HashSet::new());
    }
    let mut select = product_variant::Entity::find()
        .select_only()
        .column(product_variant::Column::Sku)
        .filter(product_variant::Column::Sku.is_in(skus.iter().cloned()));
    if let Some(id) = except {
        select = select.filter(product_variant::Column::Id.ne(id));
    }
    let found: Vec<String> = select.into_tuple().all(db).await?;
    Ok(found.into_iter().collect())
}

async fn sku_in_use(db: &impl ConnectionTrait, sku: &str, except: Option<Uuid>) -> ApiResult<bool> {
    Ok(!skus_in_use(db, &[sku.to_owned()], except).await?.is_empty())
}

/// Adds NOT_FOUND errors for the stock entries naming unknown warehouses.
pub(crate) async fn check_warehouses(
    db: &impl ConnectionTrait,
    variant: &CleanVariant,
    p: &mut Problems<'_>,
) -> ApiResult<()> {
    if variant.stock.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = variant.stock.iter().map(|s| s.warehouse_id).collect();
    let known: Vec<Uuid> = warehouse::Entity::find()
        .select_only()
        .column(warehouse::Column::Id)
        .filter(warehouse::Column::Id.is_in(ids))
        .lock_shared()
        .into_tuple()
        .all(db)
        .await?;
    for (i, stock) in variant.stock.iter().enumerate() {
        if !known.contains(&stock.warehouse_id) {
            let field = ["stock", &i.to_string(), "warehouseId"];
            p.add(&field, ErrorCode::NotFound, "no such warehouse");
        }
    }
    Ok(())
}

/// Rolls back and returns the user errors.
pub(crate) async fn refuse<T>(
    txn: DatabaseTransaction,
    errors: Vec<UserError>,
) -> ApiResult<Result<T, Vec<UserError>>> {
    txn.rollback().await?;
    Ok(Err(errors))
}

pub(crate) async fn lock_product(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> ApiResult<Option<product::Model>> {
    let product = product::Entity::find_by_id(id).lock_exclusive();
    Ok(product.one(db).await?)
}

/// The variant and its product, both locked; `None` when the variant does not exist.
async fn lock_variant(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> ApiResult<Option<product_variant::Model>> {
    let Some(variant) = product_variant::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    lock_product(db, variant.product_id).await?;
    let variant = product_variant::Entity::find_by_id(id).lock_exclusive();
    Ok(variant.one(db).await?)
}

fn variant_not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no such variant")
}

pub(crate) const SKU_TAKEN: &str = "another variant already uses this SKU";

fn sku_taken() -> UserError {
    UserError::new(&["input", "sku"], ErrorCode::Taken, SKU_TAKEN)
}

/// Adds a variant after the product's last one. Returns the user errors instead when refused;
/// then nothing is written.
pub async fn create_variant(
    db: &DatabaseConnection,
    product_id: Uuid,
    input: NewVariant,
) -> ApiResult<Result<product_variant::Model, Vec<UserError>>> {
    let prefix = ["input".to_owned()];
    let mut errors = Vec::new();
    let variant = clean_variant(input, &mut Problems::new(&prefix, &mut errors));
    let txn = begin_write(db).await?;
    if lock_product(&txn, product_id).await?.is_none() {
        let error = UserError::new(&["productId"], ErrorCode::NotFound, "no such product");
        return refuse(txn, vec![error]).await;
    }
    if sku_in_use(&txn, &variant.sku, None).await? {
        errors.push(sku_taken());
    }
    check_warehouses(&txn, &variant, &mut Problems::new(&prefix, &mut errors)).await?;
    if !errors.is_empty() {
        return refuse(txn, errors).await;
    }
    let last: Option<Option<i32>> = product_variant::Entity::find()
        .select_only()
        .expr(Func::max(Expr::col(product_variant::Column::Position)))
        .filter(product_variant::Column::ProductId.eq(product_id))
        .into_tuple()
        .one(&txn)
        .await?;
    let position = last.flatten().map_or(0, |p| p.saturating_add(1));
    match insert_variant(&txn, product_id, position, variant, now()).await {
        Ok(model) => {
            refresh_price_ranges(&txn, product_id).await?;
            txn.commit().await?;
            Ok(Ok(model))
        }
        Err(err) if is_unique_violation(&err) => refuse(txn, vec![sku_taken()]).await,
        Err(err) => Err(err.into()),
    }
}

/// Updates a variant; given prices replace its whole price list. Stock is not changed here.
pub async fn update_variant(
    db: &DatabaseConnection,
    id: Uuid,
    changes: VariantChanges,
) -> ApiResult<Result<product_variant::Model, Vec<UserError>>> {
    let prefix = ["input".to_owned()];
    let mut errors = Vec::new();
    let p = &mut Problems::new(&prefix, &mut errors);
    let sku = changes.sku.map(|s| clean_sku(&s, p));
    let name = changes.name.map(|n| clean_name(&n, p));
    let options = changes.options.map(|o| clean_options(o, p));
    let prices = changes.prices.map(|prices| clean_prices(&prices, p));

    let txn = begin_write(db).await?;
    let Some(current) = lock_variant(&txn, id).await? else {
        return refuse(txn, vec![variant_not_found()]).await;
    };
    if let Some(sku) = &sku
        && sku_in_use(&txn, sku, Some(id)).await?
    {
        errors.push(sku_taken());
    }
    if !errors.is_empty() {
        return refuse(txn, errors).await;
    }
    let product_id = current.product_id;
    let mut row: product_variant::ActiveModel = current.into();
    if let Some(sku) = sku {
        row.sku = Set(sku);
    }
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(options) = options {
        row.options = Set(options);
    }
    row.updated_at = Set(now());
    let model = match row.update(&txn).await {
        Ok(model) => model,
        Err(err) if is_unique_violation(&err) => return refuse(txn, vec![sku_taken()]).await,
        Err(err) => return Err(err.into()),
    };
    if let Some(prices) = prices {
        variant_price::Entity::delete_many()
            .filter(variant_price::Column::VariantId.eq(id))
            .exec(&txn)
            .await?;
        insert_prices(&txn, id, &prices).await?;
        refresh_price_ranges(&txn, product_id).await?;
    }
    txn.commit().await?;
    Ok(Ok(model))
}

/// Deletes a variant (prices and stock levels cascade; order lines keep their snapshot).
/// Refused while any of its stock is allocated.
pub async fn delete_variant(
    db: &DatabaseConnection,
    id: Uuid,
) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let txn = begin_write(db).await?;
    let Some(variant) = lock_variant(&txn, id).await? else {
        return refuse(txn, vec![variant_not_found()]).await;
    };
    if has_allocations(&txn, vec![id]).await? {
        return refuse(txn, vec![allocated("the variant has")]).await;
    }
    product_variant::Entity::delete_by_id(id).exec(&txn).await?;
    refresh_price_ranges(&txn, variant.product_id).await?;
    txn.commit().await?;
    Ok(Ok(id))
}
