//! The catalog event: products whose searchable facts changed (name, description, brand,
//! category, status, variants, prices), a category, or a collection (its fields or members). A writer records it on its unit of
//! work (`write.record(DomainEvent::CatalogChanged(..))`); it travels through the outbox like
//! every event, the relay turns it into search-queue rows (see `crate::search::queue`), and
//! outgoing webhooks deliver it as PRODUCT_CREATED / PRODUCT_UPDATED / PRODUCT_DELETED /
//! CATEGORY_UPDATED, with the slugs a storefront needs to revalidate its pages.
//!
//! Only the type lives here: `crate::events` names it in `DomainEvent`, so this module must
//! not depend on `crate::events` in turn.

use crate::common::clock::now;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogChange {
    pub event_id: Uuid,
    pub product_ids: Vec<Uuid>,
    /// A category that was created, renamed, moved or deleted: every product in its subtree
    /// changed.
    #[serde(default)]
    pub category_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    /// What happened; absent in events written before webhooks (see [`CatalogChange::kind`]).
    #[serde(default)]
    pub kind: Option<CatalogChangeKind>,
    /// The slugs of the changed products (a deleted product's last one): the event is the
    /// only place a deleted product's slug survives. Empty in older events.
    #[serde(default)]
    pub slugs: Vec<ProductSlug>,
    /// The category's slug (its last one when deleted).
    #[serde(default)]
    pub category_slug: Option<String>,
    /// A collection that was created, changed (fields, members, order) or deleted. Collections
    /// are not in search documents, so this names no products: the event exists so cached
    /// answers are dropped.
    #[serde(default)]
    pub collection_id: Option<Uuid>,
    /// The collection's handle (its last one when deleted).
    #[serde(default)]
    pub collection_handle: Option<String>,
}

/// What a catalog change was, as outgoing webhooks name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CatalogChangeKind {
    ProductCreated,
    /// The product's own fields, its variants or their prices.
    ProductUpdated,
    ProductDeleted,
    /// Created, renamed, moved or deleted.
    CategoryUpdated,
    /// Created, changed (fields, members, their order) or deleted.
    CollectionUpdated,
}

/// A product's slug at the change, and the one it replaced when the change renamed it (the
/// old page must go too).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSlug {
    pub product_id: Uuid,
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_slug: Option<String>,
}

impl CatalogChange {
    /// `product_ids` changed (updated). The caller records nothing when the list is empty.
    pub fn products(product_ids: Vec<Uuid>) -> Self {
        Self::new(product_ids, None)
    }

    /// One product was created, updated or deleted; `slug` is its slug after the change (its
    /// last one when deleted).
    pub fn product(kind: CatalogChangeKind, product_id: Uuid, slug: &str) -> Self {
        let mut change = Self::new(vec![product_id], None);
        change.kind = Some(kind);
        change.slugs = vec![ProductSlug {
            product_id,
            slug: slug.to_owned(),
            previous_slug: None,
        }];
        change
    }

    /// The product's slug was `previous` before this change (only kept when it differs).
    pub fn renamed_from(mut self, previous: &str) -> Self {
        for slug in &mut self.slugs {
            if slug.slug != previous {
                slug.previous_slug = Some(previous.to_owned());
            }
        }
        self
    }

    /// The category `category_id` (and its subcategories' products) changed, or was created
    /// or deleted; `products` are products it no longer holds (a deleted category's).
    pub fn category(category_id: Uuid, slug: &str, products: Vec<Uuid>) -> Self {
        let mut change = Self::new(products, Some(category_id));
        change.kind = Some(CatalogChangeKind::CategoryUpdated);
        change.category_slug = Some(slug.to_owned());
        change
    }

    /// The collection `collection_id` (handle `handle`) was created, changed or deleted.
    pub fn collection(collection_id: Uuid, handle: &str) -> Self {
        let mut change = Self::new(Vec::new(), None);
        change.kind = Some(CatalogChangeKind::CollectionUpdated);
        change.collection_id = Some(collection_id);
        change.collection_handle = Some(handle.to_owned());
        change
    }

    /// What happened. Events written before it was recorded: a category change when they name
    /// a category, else products updated.
    pub fn kind(&self) -> CatalogChangeKind {
        self.kind.unwrap_or(if self.category_id.is_some() {
            CatalogChangeKind::CategoryUpdated
        } else {
            CatalogChangeKind::ProductUpdated
        })
    }

    fn new(product_ids: Vec<Uuid>, category_id: Option<Uuid>) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            product_ids,
            category_id,
            occurred_at: now(),
            kind: None,
            slugs: Vec::new(),
            category_slug: None,
            collection_id: None,
            collection_handle: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_written_before_webhooks_still_decode_and_say_what_changed() {
        let product = serde_json::json!({
            "event_id": Uuid::nil(), "product_ids": [Uuid::nil()],
            "occurred_at": "2026-12-01T10:00:00Z"
        });
        let old: Result<CatalogChange, _> = serde_json::from_value(product);
        assert_eq!(
            old.map(|c| (c.kind(), c.slugs.len())).ok(),
            Some((CatalogChangeKind::ProductUpdated, 0))
        );
        let category = serde_json::json!({
            "event_id": Uuid::nil(), "product_ids": [], "category_id": Uuid::nil(),
            "occurred_at": "2026-12-01T10:00:00Z"
        });
        let old: Result<CatalogChange, _> = serde_json::from_value(category);
        assert_eq!(
            old.map(|c| c.kind()).ok(),
            Some(CatalogChangeKind::CategoryUpdated)
        );
    }

    #[test]
    fn a_rename_keeps_the_old_slug_and_an_unchanged_slug_does_not() {
        let id = Uuid::nil();
        let renamed = CatalogChange::product(CatalogChangeKind::ProductUpdated, id, "new")
            .renamed_from("old");
        assert_eq!(renamed.slugs[0].previous_slug.as_deref(), Some("old"));
        let same = CatalogChange::product(CatalogChangeKind::ProductUpdated, id, "same")
            .renamed_from("same");
        assert_eq!(same.slugs[0].previous_slug, None);
    }
}
