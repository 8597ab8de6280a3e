//! Product listing: filters, orderings and keyset paging.
//!
//! `mod.rs` defines what a listing is and how it is ordered; `filters` turns its conditions
//! into SQL; `paging` reads one page of one listing; `by_category` reads the first page (and
//! the count) of the same listing for many categories in one statement, for DataLoaders.

mod by_category;
mod filters;
mod paging;

pub use by_category::{counts_by_category, first_pages_by_category};
pub use paging::{count_products, list_products};

use crate::common::money::CurrencyCode;
use crate::common::pagination::{Cursor, CursorValue, Page, PageRequest};
use crate::error::{ApiError, ApiResult};
use entities::enums::ProductStatus;
use entities::{product, product_price_range};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait, Select,
};
use uuid::Uuid;

/// How a product list is ordered; every ordering ends with the id as tie-breaker.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProductOrder {
    /// Creation order (ids are UUIDv7) — the default.
    Id,
    Name,
    /// Lowest variant price in the listing currency.
    Price,
    Created,
    /// `products.units_sold` (BEST_SELLING is this, descending).
    UnitsSold,
}

impl ProductOrder {
    fn key(self) -> &'static str {
        match self {
            Self::Id => "ID",
            Self::Name => "NAME",
            Self::Price => "PRICE",
            Self::Created => "CREATED",
            Self::UnitsSold => "UNITS_SOLD",
        }
    }
}

/// What to list. Built by the resolver from validated arguments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductListing {
    /// Categories whose products (including those of their descendants) are wanted.
    pub category_ids: Vec<Uuid>,
    pub brands: Vec<String>,
    /// Inclusive price bounds in minor units of `currency`: a product matches when one of its
    /// variants is priced within them.
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub in_stock: Option<bool>,
    /// Only the members of this collection (in any order the listing names: the
    /// collection's own order is `Collection.products`' first pages).
    pub collection_id: Option<Uuid>,
    pub currency: CurrencyCode,
    pub order: ProductOrder,
    pub reverse: bool,
    /// Staff may list DRAFT and ARCHIVED products; the public sees ACTIVE only.
    pub include_unpublished: bool,
}

impl ProductListing {
    pub fn new(currency: CurrencyCode) -> Self {
        Self {
            category_ids: Vec::new(),
            brands: Vec::new(),
            price_min: None,
            price_max: None,
            in_stock: None,
            collection_id: None,
            currency,
            order: ProductOrder::Id,
            reverse: false,
            include_unpublished: false,
        }
    }

    /// The sort key cursors of this listing are bound to.
    pub fn cursor_key(&self) -> String {
        let direction = if self.reverse { "DESC" } else { "ASC" };
        match self.order {
            ProductOrder::Price => format!("PRICE:{}:{direction}", self.currency.as_str()),
            order => format!("{}:{direction}", order.key()),
        }
    }

    /// The listing's filters, without ordering or paging (shared by the page and the count).
    fn filtered(&self) -> ApiResult<Select<product::Entity>> {
        if let (Some(min), Some(max)) = (self.price_min, self.price_max)
            && min > max
        {
            return Err(ApiError::bad_input(
                "`priceMin` must not be greater than `priceMax`",
            ));
        }
        let mut select = product::Entity::find();
        if !self.include_unpublished {
            select = select.filter(product::Column::Status.eq(ProductStatus::Active));
        }
        if !self.brands.is_empty() {
            select = select.filter(product::Column::Brand.is_in(self.brands.clone()));
        }
        if !self.category_ids.is_empty() {
            select = select.filter(filters::in_category_trees(&self.category_ids));
        }
        if self.price_min.is_some() || self.price_max.is_some() {
            select = select.filter(filters::priced_between(
                self.currency,
                self.price_min,
                self.price_max,
            ));
        }
        if let Some(collection_id) = self.collection_id {
            select = select.filter(filters::in_collection(collection_id));
        }
        if let Some(in_stock) = self.in_stock {
            let exists = filters::in_stock();
            select = select.filter(if in_stock { exists } else { exists.not() });
        }
        Ok(select)
    }
}

/// Alias of the joined `product_price_ranges` row of a price-ordered listing.
const PRICE_ALIAS: &str = "listing_price";

/// Column carrying that row's `min_amount` in results.
const PRICE_COLUMN: &str = "listing_min_amount";

impl ProductListing {
    /// The filtered select with what the ordering needs (the price join), and the sort
    /// expression (`None`: ordered by id alone).
    fn ordered(&self) -> ApiResult<(Select<product::Entity>, Option<SimpleExpr>)> {
        let mut select = self.filtered()?;
        let sort = match self.order {
            ProductOrder::Id => None,
            ProductOrder::Name => Some(Expr::col((product::Entity, product::Column::Name))),
            ProductOrder::Created => Some(Expr::col((product::Entity, product::Column::CreatedAt))),
            ProductOrder::UnitsSold => {
                Some(Expr::col((product::Entity, product::Column::UnitsSold)))
            }
            ProductOrder::Price => {
                // Products without a price in the listing currency cannot be sorted by it and
                // are not for sale in it, so the inner join leaves them out.
                let currency = self.currency.as_str();
                let relation = product_price_range::Relation::Product
                    .def()
                    .rev()
                    .on_condition(move |_, right| {
                        Condition::all().add(
                            Expr::col((right, product_price_range::Column::CurrencyCode))
                                .eq(currency),
                        )
                    });
                let min_amount = Expr::col((
                    Alias::new(PRICE_ALIAS),
                    product_price_range::Column::MinAmount,
                ));
                select = select
                    .join_as(JoinType::InnerJoin, relation, Alias::new(PRICE_ALIAS))
                    .expr_as(min_amount.clone(), PRICE_COLUMN);
                Some(min_amount)
            }
        };
        Ok((select, sort))
    }

    /// The cursor of a row of this listing.
    fn cursor_of(&self, product: &product::Model, price: Option<i64>) -> Cursor {
        Cursor {
            sort_key: self.cursor_key(),
            value: match self.order {
                ProductOrder::Id => None,
                ProductOrder::Name => Some(CursorValue::Text(product.name.clone())),
                ProductOrder::Created => {
                    Some(CursorValue::Int(product.created_at.timestamp_micros()))
                }
                ProductOrder::Price => price.map(CursorValue::Int),
                ProductOrder::UnitsSold => Some(CursorValue::Int(product.units_sold)),
            },
            id: product.id,
        }
    }

    /// A page from rows read with `limit + 1` in the request's direction; each row carries
    /// the listing price when ordered by price.
    pub fn page(
        &self,
        rows: Vec<(product::Model, Option<i64>)>,
        request: &PageRequest,
    ) -> Page<product::Model> {
        let page = Page::from_rows(rows, request, |(p, price)| self.cursor_of(p, *price));
        Page {
            items: page.items.into_iter().map(|(c, (p, _))| (c, p)).collect(),
            page_info: page.page_info,
        }
    }
}
