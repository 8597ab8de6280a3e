//! `create_product`, and the rows of one new variant (shared with variant create).

use super::super::variants::{
    CleanVariant, Problems, SKU_TAKEN, check_warehouses, clean_variant, refuse, skus_in_use,
};
use super::content::{clean_description_html, clean_seo_description, clean_seo_title, clean_tags};
use super::prices::{insert_prices, refresh_price_ranges};
use super::validation::{
    check_category, clean_attributes, clean_brand, clean_description, clean_name, create_slug,
    slug_in_use, slug_taken, taken_concurrently,
};
use super::{MAX_VARIANTS, NewProduct};
use crate::catalog::events::{CatalogChange, CatalogChangeKind};
use crate::common::clock::now;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use crate::events::DomainEvent;
use crate::inventory::service::levels::{self, InitialStock};
use crate::unit_of_work::Writer;
use chrono::{DateTime, Utc};
use entities::enums::ProductStatus;
use entities::{product, product_variant};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use std::collections::HashSet;
use uuid::Uuid;

/// Creates a product with its variants. Returns the user errors instead when the input is
/// refused; then nothing is written.
pub async fn create_product(
    writer: &Writer,
    input: NewProduct,
) -> ApiResult<Result<product::Model, Vec<UserError>>> {
    let (input_path, mut errors) = (["input".to_owned()], Vec::new());
    let p = &mut Problems::new(&input_path, &mut errors);
    let known_problems = p.errors.len();
    let name = clean_name(&input.name, p);
    let name_ok = p.errors.len() == known_problems;
    let (slug, slug_ok) = create_slug(input.slug, &name, name_ok, p);
    let description = clean_description(input.description, p);
    let brand = clean_brand(input.brand, p);
    let attributes = clean_attributes(input.attributes, p);
    let tags = clean_tags(input.tags, p);
    let description_html = clean_description_html(input.description_html, p);
    let seo_title = clean_seo_title(input.seo_title, p);
    let seo_description = clean_seo_description(input.seo_description, p);
    // Too many variants: one error for the list, and none of them is looked at (checking
    // thousands of variants would only produce thousands of errors and queries).
    let mut new_variants = input.variants;
    if new_variants.len() > MAX_VARIANTS {
        let message = format!("give at most {MAX_VARIANTS} variants");
        p.invalid(&["variants"], message);
        new_variants.clear();
    }
    let mut variants: Vec<(Vec<String>, CleanVariant)> = Vec::new();
    let mut skus = HashSet::new();
    for (i, variant) in new_variants.into_iter().enumerate() {
        let prefix = vec!["input".to_owned(), "variants".to_owned(), i.to_string()];
        let p = &mut Problems::new(&prefix, &mut errors);
        let variant = clean_variant(variant, p);
        if !variant.sku.is_empty() && !skus.insert(variant.sku.clone()) {
            let message = "another variant of this input uses this SKU";
            p.add(&["sku"], ErrorCode::Taken, message);
        }
        variants.push((prefix, variant));
    }

    let mut write = writer.begin().await?;
    let txn = write.txn();
    if slug_ok && slug_in_use(txn, &slug, None).await? {
        errors.push(slug_taken());
    }
    if let Some(category_id) = input.category_id {
        check_category(txn, category_id, &mut errors).await?;
    }
    let skus: Vec<String> = skus.into_iter().collect();
    let taken = skus_in_use(txn, &skus, None).await?;
    for (prefix, variant) in &variants {
        let p = &mut Problems::new(prefix, &mut errors);
        if taken.contains(&variant.sku) {
            p.add(&["sku"], ErrorCode::Taken, SKU_TAKEN);
        }
        check_warehouses(txn, variant, p).await?;
    }
    if !errors.is_empty() {
        return refuse(write, errors);
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
        attributes: Set(attributes),
        popularity: Set(0),
        tags: Set(tags),
        description_html: Set(description_html),
        seo_title: Set(seo_title),
        seo_description: Set(seo_description),
        units_sold: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let written = async {
        let model = row.insert(txn).await?;
        for (position, (_, variant)) in variants.into_iter().enumerate() {
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            insert_variant(txn, id, position, variant, now).await?;
        }
        refresh_price_ranges(txn, id).await?;
        Ok::<_, sea_orm::DbErr>(model)
    }
    .await;
    match written {
        Ok(model) => {
            write.record(DomainEvent::CatalogChanged(CatalogChange::product(
                CatalogChangeKind::ProductCreated,
                model.id,
                &model.slug,
            )));
            write.commit().await?;
            Ok(Ok(model))
        }
        // Two creates racing for one slug or SKU: the unique indexes decide.
        Err(err) if is_unique_violation(&err) => refuse(write, vec![taken_concurrently()]),
        Err(err) => Err(err.into()),
    }
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
    let stock: Vec<InitialStock> = variant
        .stock
        .iter()
        .map(|s| InitialStock {
            warehouse_id: s.warehouse_id,
            on_hand: s.on_hand,
        })
        .collect();
    levels::stock_new_variant(db, id, &stock, now).await?;
    Ok(model)
}
