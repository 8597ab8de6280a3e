//! `update_product`: a product's own fields (variants change through the variant service).

use super::super::variants::{Problems, lock_product, refuse};
use super::ProductChanges;
use super::content::{clean_description_html, clean_seo_description, clean_seo_title, clean_tags};
use super::validation::{
    check_category, check_slug, clean_attributes, clean_brand, clean_description, clean_name,
    product_not_found, slug_in_use, slug_taken,
};
use crate::catalog::events::{CatalogChange, CatalogChangeKind};
use crate::common::clock::now;
use crate::common::user_error::UserError;
use crate::error::{ApiResult, is_unique_violation};
use crate::events::DomainEvent;
use crate::unit_of_work::Writer;
use entities::product;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

/// Updates a product's own fields. Returns the user errors instead when refused.
pub async fn update_product(
    writer: &Writer,
    id: Uuid,
    changes: ProductChanges,
) -> ApiResult<Result<product::Model, Vec<UserError>>> {
    let (input_path, mut errors) = (["input".to_owned()], Vec::new());
    let p = &mut Problems::new(&input_path, &mut errors);
    let name = changes.name.map(|n| clean_name(&n, p));
    let slug = changes.slug.map(|s| s.trim().to_owned());
    let slug_ok = slug.as_deref().is_none_or(|s| check_slug(s, p));
    let brand = changes.brand.map(|b| clean_brand(b, p));
    let description = changes.description.map(|d| clean_description(d, p));
    let attributes = changes.attributes.map(|a| clean_attributes(a, p));
    let tags = changes.tags.map(|t| clean_tags(t, p));
    let description_html = changes
        .description_html
        .map(|h| clean_description_html(h, p));
    let seo_title = changes.seo_title.map(|t| clean_seo_title(t, p));
    let seo_description = changes.seo_description.map(|d| clean_seo_description(d, p));

    let mut write = writer.begin().await?;
    let txn = write.txn();
    let Some(current) = lock_product(txn, id).await? else {
        return refuse(write, vec![product_not_found()]);
    };
    if slug_ok
        && let Some(slug) = &slug
        && slug_in_use(txn, slug, Some(id)).await?
    {
        errors.push(slug_taken());
    }
    if let Some(Some(category_id)) = changes.category_id {
        check_category(txn, category_id, &mut errors).await?;
    }
    if !errors.is_empty() {
        return refuse(write, errors);
    }

    let previous_slug = current.slug.clone();
    let before = current.clone();
    let mut row: product::ActiveModel = current.into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(slug) = slug {
        row.slug = Set(slug);
    }
    if let Some(description) = description {
        row.description = Set(description);
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
    if let Some(attributes) = attributes {
        row.attributes = Set(attributes);
    }
    if let Some(tags) = tags {
        row.tags = Set(tags);
    }
    if let Some(description_html) = description_html {
        row.description_html = Set(description_html);
    }
    if let Some(seo_title) = seo_title {
        row.seo_title = Set(seo_title);
    }
    if let Some(seo_description) = seo_description {
        row.seo_description = Set(seo_description);
    }
    row.updated_at = Set(now());
    match row.update(txn).await {
        Ok(model) => {
            write.record(DomainEvent::CatalogChanged(
                CatalogChange::product(CatalogChangeKind::ProductUpdated, model.id, &model.slug)
                    .renamed_from(&previous_slug),
            ));
            write.audit_target("Product", model.id);
            write.audit_change(Some(&before), Some(&model));
            write.commit().await?;
            Ok(Ok(model))
        }
        Err(err) if is_unique_violation(&err) => refuse(write, vec![slug_taken()]),
        Err(err) => Err(err.into()),
    }
}
