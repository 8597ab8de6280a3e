use crate::catalog::service::products::{ProductListing, ProductOrder};
use crate::common::ids::parse_ids;
use crate::common::money::{CurrencyCode, Decimal};
use crate::error::{ApiError, ApiResult};
use async_graphql::{Enum, ID, InputObject};

/// Most entries a list-valued filter field accepts (keeps queries bounded).
const MAX_FILTER_VALUES: usize = 100;

/// Filters of a product list. All given conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ProductFilter {
    /// Products in any of these categories or their descendants.
    pub category_ids: Option<Vec<ID>>,
    /// Products of any of these brands (exact match).
    pub brands: Option<Vec<String>>,
    /// A variant priced at least this much in the listing currency.
    pub price_min: Option<Decimal>,
    /// A variant priced at most this much in the listing currency.
    pub price_max: Option<Decimal>,
    /// true: only products with stock to sell; false: only sold-out products.
    pub in_stock: Option<bool>,
}

/// Orderings of a product list.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum ProductSortKey {
    /// Creation order (the default).
    #[default]
    Id,
    Name,
    /// Lowest variant price in the listing currency; products not priced in it are left out.
    Price,
    Created,
    /// Most units ordered first (cancelled orders not counted; ties: newest first). `reverse`
    /// lists the least sold first. The count is updated just after each order, not with it.
    BestSelling,
}

impl ProductSortKey {
    /// Whether the key lists from the highest value down unless `reverse` is given: best
    /// sellers come first, so BEST_SELLING is units sold descending (ties by id, also
    /// descending, as every ordering breaks ties by id in its own direction).
    pub fn descending(self) -> bool {
        self == Self::BestSelling
    }
}

impl ProductFilter {
    /// Applies the filter to a listing, validating ids, list sizes and prices.
    pub fn apply(self, listing: &mut ProductListing) -> ApiResult<()> {
        let too_many = |field: &str| {
            ApiError::bad_input(format!(
                "`{field}` accepts at most {MAX_FILTER_VALUES} values"
            ))
        };
        if let Some(ids) = self.category_ids {
            if ids.len() > MAX_FILTER_VALUES {
                return Err(too_many("filter.categoryIds"));
            }
            listing.category_ids = parse_ids(&ids, "filter.categoryIds")?;
        }
        if let Some(brands) = self.brands {
            if brands.len() > MAX_FILTER_VALUES {
                return Err(too_many("filter.brands"));
            }
            // Brands never hold control characters; a NUL would even fail the query on
            // PostgreSQL (an internal error) instead of matching nothing.
            if brands.iter().any(|b| b.chars().any(char::is_control)) {
                return Err(ApiError::bad_input(
                    "`filter.brands` values must not contain control characters",
                ));
            }
            listing.brands = brands;
        }
        let to_minor = |d: Decimal, currency: CurrencyCode, field: &str| -> ApiResult<i64> {
            if d.is_negative() {
                return Err(ApiError::bad_input(format!(
                    "`{field}` must not be negative"
                )));
            }
            d.to_minor(currency)
                .map_err(|e| ApiError::bad_input(format!("`{field}`: {e}")))
        };
        listing.price_min = self
            .price_min
            .map(|d| to_minor(d, listing.currency, "filter.priceMin"))
            .transpose()?;
        listing.price_max = self
            .price_max
            .map(|d| to_minor(d, listing.currency, "filter.priceMax"))
            .transpose()?;
        listing.in_stock = self.in_stock;
        Ok(())
    }
}

impl From<ProductSortKey> for ProductOrder {
    fn from(key: ProductSortKey) -> Self {
        match key {
            ProductSortKey::Id => ProductOrder::Id,
            ProductSortKey::Name => ProductOrder::Name,
            ProductSortKey::Price => ProductOrder::Price,
            ProductSortKey::Created => ProductOrder::Created,
            ProductSortKey::BestSelling => ProductOrder::UnitsSold,
        }
    }
}
