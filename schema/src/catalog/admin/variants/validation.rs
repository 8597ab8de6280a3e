//! The rules a variant's fields follow, checked without the database (SKU uniqueness and
//! warehouses are checked later, inside the write transaction).

use super::problems::Problems;
use super::{
    MAX_OPTION_LEN, MAX_OPTIONS, MAX_SKU_LEN, MAX_STOCK_ENTRIES, MAX_VARIANT_NAME_LEN, NewVariant,
    PriceInput, StockInput,
};
use crate::common::money::CurrencyCode;
use crate::common::text;
use entities::json::{NameValue, NameValueList};
use std::collections::HashSet;

/// A variant that passed the checks needing no database.
#[derive(Clone, Debug)]
pub(crate) struct CleanVariant {
    pub sku: String,
    pub name: String,
    pub options: NameValueList,
    pub prices: Vec<CleanPrice>,
    pub stock: Vec<StockInput>,
}

/// A checked price, in minor units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CleanPrice {
    pub currency: String,
    pub amount: i64,
    /// `None`: keep the current compare-at amount; `Some(None)`: none.
    pub compare_at: Option<Option<i64>>,
}

/// Whether `sku` (trimmed) has 1 to [`MAX_SKU_LEN`] ASCII letters, digits, dots,
/// underscores or dashes.
pub(super) fn is_valid_sku(sku: &str) -> bool {
    (1..=MAX_SKU_LEN).contains(&sku.len())
        && sku
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

pub(super) fn clean_sku(sku: &str, p: &mut Problems<'_>) -> String {
    let sku = sku.trim().to_owned();
    if !is_valid_sku(&sku) {
        p.invalid(
            &["sku"],
            format!("use 1 to {MAX_SKU_LEN} letters, digits, dots, underscores or dashes"),
        );
    }
    sku
}

pub(super) fn clean_name(name: &str, p: &mut Problems<'_>) -> String {
    text::required_line(name, MAX_VARIANT_NAME_LEN).unwrap_or_else(|problem| {
        p.invalid(&["name"], problem.to_string());
        name.trim().to_owned()
    })
}

pub(super) fn clean_options(options: Vec<NameValue>, p: &mut Problems<'_>) -> NameValueList {
    if options.len() > MAX_OPTIONS {
        p.invalid(&["options"], format!("give at most {MAX_OPTIONS} options"));
        return NameValueList::default();
    }
    let mut clean = Vec::with_capacity(options.len());
    for (i, option) in options.into_iter().enumerate() {
        let mut checked = |field: &str, text: &str| {
            text::required_line(text, MAX_OPTION_LEN).unwrap_or_else(|problem| {
                p.invalid(&["options", &i.to_string(), field], problem.to_string());
                String::new()
            })
        };
        let name = checked("name", &option.name);
        let value = checked("value", &option.value);
        clean.push(NameValue { name, value });
    }
    NameValueList(clean)
}

pub(super) fn clean_prices(prices: &[PriceInput], p: &mut Problems<'_>) -> Vec<CleanPrice> {
    if prices.is_empty() {
        p.invalid(&["prices"], "give at least one price");
    }
    let most = CurrencyCode::ALL.len();
    if prices.len() > most {
        let message = format!("give at most {most} prices, one per currency");
        p.invalid(&["prices"], message);
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut clean = Vec::with_capacity(prices.len());
    for (i, price) in prices.iter().enumerate() {
        let index = i.to_string();
        let amount = match price.amount.to_bounded_minor(price.currency) {
            Ok(minor) if minor > 0 => Some(minor),
            Ok(_) => {
                p.invalid(&["prices", &index, "amount"], "must be greater than 0");
                None
            }
            Err(message) => {
                p.invalid(&["prices", &index, "amount"], message);
                None
            }
        };
        let compare_at = match price.compare_at {
            None => None,
            Some(None) => Some(None),
            Some(Some(compare_at)) => match compare_at.to_bounded_minor(price.currency) {
                Ok(minor) if amount.is_none_or(|amount| minor > amount) => Some(Some(minor)),
                Ok(_) => {
                    let message = "must be greater than the amount, or null for none";
                    p.invalid(&["prices", &index, "compareAtAmount"], message);
                    None
                }
                Err(message) => {
                    p.invalid(&["prices", &index, "compareAtAmount"], message);
                    None
                }
            },
        };
        if let Some(amount) = amount {
            clean.push(CleanPrice {
                currency: price.currency.as_str().to_owned(),
                amount,
                compare_at,
            });
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

/// Checks the stock of a new variant: at most [`MAX_STOCK_ENTRIES`], one per warehouse,
/// none negative. Returns no entries when there are too many (the variant is refused).
fn clean_stock(stock: Vec<StockInput>, p: &mut Problems<'_>) -> Vec<StockInput> {
    if stock.len() > MAX_STOCK_ENTRIES {
        let message = format!("give at most {MAX_STOCK_ENTRIES} entries, one per warehouse");
        p.invalid(&["stock"], message);
        return Vec::new();
    }
    let mut warehouses = HashSet::new();
    for (i, entry) in stock.iter().enumerate() {
        let index = i.to_string();
        if entry.on_hand < 0 {
            p.invalid(&["stock", &index, "onHand"], "must be 0 or more");
        }
        if !warehouses.insert(entry.warehouse_id) {
            p.invalid(
                &["stock", &index, "warehouseId"],
                "this warehouse is given twice",
            );
        }
    }
    stock
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
    let stock = clean_stock(input.stock, p);
    CleanVariant {
        sku,
        name,
        options,
        prices,
        stock,
    }
}
