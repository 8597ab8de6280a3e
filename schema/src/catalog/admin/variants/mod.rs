//! Staff changes to product variants: validation shared with product creation, variant
//! create / update / delete, and the `product_price_ranges` upkeep.
//!
//! Every write locks the product row first (`FOR UPDATE`), then its variants, so two changes
//! to one product's variants run one after the other and its price ranges are recomputed from
//! committed prices. SQLite runs write transactions one at a time (units of work start
//! IMMEDIATE there).
//!
//! - `problems`: user errors collected under a field path prefix
//! - `validation`: the rules a variant's fields follow (no database)
//! - `lookups`: SKU uniqueness and warehouse existence (database)
//! - `locking`: row locks in the documented order, and rolling back a refused change
//! - `create`, `update`, `deletion`: one operation each

mod create;
mod deletion;
mod locking;
mod lookups;
mod problems;
mod update;
mod validation;

pub use create::create_variant;
pub use deletion::delete_variant;
pub(crate) use locking::{lock_product, refuse};
pub(crate) use lookups::{SKU_TAKEN, check_warehouses, skus_in_use};
pub(crate) use problems::Problems;
pub use update::update_variant;
pub(crate) use validation::{CleanPrice, CleanVariant, clean_variant};

use crate::common::money::{CurrencyCode, Decimal};
use entities::json::NameValue;
use uuid::Uuid;

/// Longest SKU (the column is `varchar(64)`).
pub const MAX_SKU_LEN: usize = 64;
/// Longest variant name (the column is `varchar(255)`).
pub const MAX_VARIANT_NAME_LEN: usize = 255;
/// Most options one variant may have (size, colour, material, …).
pub const MAX_OPTIONS: usize = 20;
/// Longest option name or value.
pub const MAX_OPTION_LEN: usize = 255;
/// Most stock entries one new variant may give (one per warehouse).
pub const MAX_STOCK_ENTRIES: usize = 100;

/// One price as given: an amount in a currency, and the compare-at ("was") amount:
/// `None` keeps the variant's current one in that currency (none for a new variant),
/// `Some(None)` clears it.
#[derive(Clone, Copy, Debug)]
pub struct PriceInput {
    pub amount: Decimal,
    pub currency: CurrencyCode,
    pub compare_at: Option<Option<Decimal>>,
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
