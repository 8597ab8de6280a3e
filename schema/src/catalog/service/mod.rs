//! Catalog rules: who sees what, and how product and category lists are filtered, ordered and
//! paged. Services take `&impl ConnectionTrait` so they run unchanged inside a transaction.

pub mod categories;
pub mod collections;
pub mod products;
pub mod units_sold;

use crate::context::Viewer;
use entities::enums::ProductStatus;
use entities::product;

/// Whether `viewer` may see `product`: the public sees ACTIVE products only.
pub fn is_visible(viewer: &Viewer, product: &product::Model) -> bool {
    product.status == ProductStatus::Active || viewer.sees_unpublished_catalog()
}
