//! The search queue: products whose documents must be rebuilt.
//!
//! The outbox relay fills it in the transaction that marks events published
//! ([`enqueue_for`]), so the handoff happens exactly once per event; the search sync drains
//! it ([`take`], [`done`]) at its own pace, so a slow or absent search engine never holds up
//! a write or a subscription.

use crate::catalog::events::CatalogChange;
use crate::common::clock::now;
use crate::error::ApiResult;
use crate::events::DomainEvent;
use entities::{category, outbox, product, search_queue};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Which products (and category subtrees) events touch, for the search index. Orders and
/// other events touch none.
#[derive(Debug, Default)]
pub struct Touched {
    pub products: BTreeSet<Uuid>,
    pub categories: BTreeSet<Uuid>,
}

impl Touched {
    pub fn add(&mut self, event: &DomainEvent) {
        match event {
            // Most sales leave a variant in stock: its product's document stays the same.
            DomainEvent::StockChanged(update) if update.may_flip_in_stock() => {
                self.products.insert(update.product_uuid);
            }
            DomainEvent::StockChanged(_) => {}
            DomainEvent::CatalogChanged(CatalogChange {
                product_ids,
                category_id,
                ..
            }) => {
                self.products.extend(product_ids.iter().copied());
                self.categories.extend(*category_id);
            }
            DomainEvent::OrderUpdated(_)
            | DomainEvent::SessionRevoked(_)
            | DomainEvent::BackInStock(_)
            | DomainEvent::CartAbandoned(_)
            | DomainEvent::CustomerCreated(_)
            | DomainEvent::ContentChanged(_)
            | DomainEvent::ShippingChanged(_) => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty() && self.categories.is_empty()
    }
}

/// Queues the products `touched` names, with the products of the named category subtrees.
/// Ids are sorted so that concurrent relays lock queue rows in the same order.
pub async fn enqueue_for(db: &impl ConnectionTrait, touched: &Touched) -> ApiResult<()> {
    if touched.is_empty() {
        return Ok(());
    }
    let mut products = touched.products.clone();
    if !touched.categories.is_empty() {
        products.extend(products_under(db, &touched.categories).await?);
    }
    enqueue(db, products).await
}

/// Queues products: new rows, or `version + 1` for products already waiting.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    products: impl IntoIterator<Item = Uuid>,
) -> ApiResult<()> {
    let at = now();
    let rows: Vec<search_queue::ActiveModel> = products
        .into_iter()
        .map(|product_id| search_queue::ActiveModel {
            product_id: Set(product_id),
            queued_at: Set(at),
            version: Set(0),
        })
        .collect();
    // Bounded statement size (SQLite allows 32k parameters; 3 per row).
    for chunk in rows.chunks(5_000) {
        let conflict = OnConflict::column(search_queue::Column::ProductId)
            .value(
                search_queue::Column::Version,
                Expr::col((search_queue::Entity, search_queue::Column::Version)).add(1),
            )
            .to_owned();
        search_queue::Entity::insert_many(chunk.to_vec())
            .on_conflict(conflict)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

async fn products_under(
    db: &impl ConnectionTrait,
    categories: &BTreeSet<Uuid>,
) -> ApiResult<Vec<Uuid>> {
    let paths: Vec<String> = category::Entity::find()
        .select_only()
        .column(category::Column::Path)
        .filter(category::Column::Id.is_in(categories.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let mut under = Condition::any();
    for path in paths {
        under = under.add(category::Column::Path.starts_with(path));
    }
    Ok(product::Entity::find()
        .select_only()
        .column(product::Column::Id)
        .inner_join(category::Entity)
        .filter(under)
        .into_tuple()
        .all(db)
        .await?)
}

/// Up to `limit` queued products, oldest first.
pub async fn take(db: &impl ConnectionTrait, limit: u64) -> ApiResult<Vec<search_queue::Model>> {
    Ok(search_queue::Entity::find()
        .order_by_asc(search_queue::Column::QueuedAt)
        .order_by_asc(search_queue::Column::ProductId)
        .limit(limit)
        .all(db)
        .await?)
}

/// Removes the rows that were indexed, unless they changed again since they were taken.
///
/// The key list narrows the statement to the taken rows first: an index lookup, or a hashed
/// membership test per row, before the (product, version) pairs are compared. Without it
/// PostgreSQL tested every row of the queue (a table that churns, so mostly dead versions)
/// against hundreds of OR-ed pairs: under checkout load, a third of its CPU.
pub async fn done(db: &impl ConnectionTrait, taken: &[search_queue::Model]) -> ApiResult<()> {
    for chunk in taken.chunks(500) {
        let keys = chunk.iter().map(|row| row.product_id);
        let mut unchanged = Condition::any();
        for row in chunk {
            unchanged = unchanged.add(
                Condition::all()
                    .add(search_queue::Column::ProductId.eq(row.product_id))
                    .add(search_queue::Column::Version.eq(row.version)),
            );
        }
        search_queue::Entity::delete_many()
            .filter(search_queue::Column::ProductId.is_in(keys))
            .filter(unchanged)
            .exec(db)
            .await?;
    }
    Ok(())
}

/// How many products wait for the index.
pub async fn backlog(db: &impl ConnectionTrait) -> ApiResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(search_queue::Entity::find().count(db).await?)
}

/// Queues again every product that events recorded since `since` touched. A rebuild calls
/// it after its switch: changes indexed into the old index while the new one was being
/// built are applied to the new one too.
pub async fn requeue_since(
    db: &impl ConnectionTrait,
    since: chrono::DateTime<chrono::Utc>,
) -> ApiResult<usize> {
    let rows = outbox::Entity::find()
        .filter(outbox::Column::CreatedAt.gte(since))
        .filter(outbox::Column::Topic.is_in(["stock.changed", "catalog.changed"]))
        .all(db)
        .await?;
    let mut touched = Touched::default();
    for row in rows {
        if let Ok(event) = serde_json::from_value::<DomainEvent>(row.payload) {
            touched.add(&event);
        }
    }
    let count = touched.products.len();
    enqueue_for(db, &touched).await?;
    Ok(count)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::Touched;
    use crate::events::DomainEvent;
    use crate::inventory::events::StockUpdate;
    use uuid::Uuid;

    fn sale(product: Uuid, was_in_stock: Option<bool>, available: i32) -> DomainEvent {
        DomainEvent::StockChanged(StockUpdate {
            event_id: Uuid::now_v7(),
            variant_uuid: Uuid::now_v7(),
            product_uuid: product,
            sku: "SKU".into(),
            available,
            in_stock: available > 0,
            occurred_at: chrono::Utc::now(),
            resync: false,
            low_stock_threshold: None,
            was_in_stock,
        })
    }

    #[test]
    fn only_stock_changes_that_may_flip_in_stock_touch_their_product() {
        let (kept, emptied, refilled, unknown) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let mut touched = Touched::default();
        touched.add(&sale(kept, Some(true), 4));
        assert!(
            touched.is_empty(),
            "a sale that leaves stock changes no document"
        );
        touched.add(&sale(emptied, Some(true), 0));
        touched.add(&sale(refilled, Some(false), 3));
        touched.add(&sale(unknown, None, 7));
        let expected: std::collections::BTreeSet<Uuid> =
            [emptied, refilled, unknown].into_iter().collect();
        assert_eq!(touched.products, expected);
    }
}
