//! Staff changes to products: create (with variants, prices and stock), update, delete.
//!
//! A create writes the product, its variants, their prices and stock levels and the product's
//! price ranges in one transaction; every refusal is found before the first write, so a
//! refused input changes nothing.
//!
//! - `validation`: the input rules (name, slug, brand) and the checks that read the database
//! - `create`, `update`, `deletion`: one operation each
//! - `content`: tags, the sanitised HTML description, SEO overrides
//! - `prices`: variant price rows and the `product_price_ranges` kept from them

mod content;
mod create;
mod deletion;
mod prices;
mod update;
mod validation;

pub use create::create_product;
pub(crate) use create::insert_variant;
pub use deletion::delete_product;
pub(crate) use deletion::{allocated, has_allocations};
pub(crate) use prices::insert_prices;
pub use prices::refresh_price_ranges;
pub use update::update_product;

use super::variants::NewVariant;
use entities::enums::ProductStatus;
use entities::json::NameValue;
use uuid::Uuid;

/// Longest product name (the column is `varchar(255)`).
pub const MAX_NAME_LEN: usize = 255;
/// Longest brand (the column is `varchar(128)`).
pub const MAX_BRAND_LEN: usize = 128;
/// Most variants one create may give.
pub const MAX_VARIANTS: usize = 100;

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
    pub attributes: Vec<NameValue>,
    pub tags: Vec<String>,
    /// Sanitised before it is stored.
    pub description_html: Option<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
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
    /// Replaces the whole list.
    pub attributes: Option<Vec<NameValue>>,
    /// Replaces the whole list.
    pub tags: Option<Vec<String>>,
    pub description_html: Option<Option<String>>,
    pub seo_title: Option<Option<String>>,
    pub seo_description: Option<Option<String>>,
}
