//! Shopify's sort keys, mapped onto the catalog's listing orders. Each key says whether it
//! lists from the highest value down by default (best sellers first), so that `reverse`
//! flips what Shopify's own order is.

use crate::catalog::service::products::ProductOrder;
use async_graphql::Enum;

/// How `products` is ordered. RELEVANCE applies to a text query; without one it is the
/// creation order.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ProductSortKeys {
    Title,
    ProductType,
    Vendor,
    UpdatedAt,
    CreatedAt,
    BestSelling,
    Price,
    Id,
    Relevance,
}

/// How a collection's products are ordered.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ProductCollectionSortKeys {
    Title,
    Price,
    BestSelling,
    Created,
    Id,
    Manual,
    CollectionDefault,
    Relevance,
}

/// How `collections` is ordered (shopgraph lists collections by title; the others are
/// accepted and answered in that order too).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CollectionSortKeys {
    Title,
    UpdatedAt,
    Id,
    Relevance,
}

impl ProductSortKeys {
    /// The listing order and whether it runs highest first unless reversed.
    pub fn listing_order(self) -> (ProductOrder, bool) {
        match self {
            Self::Title | Self::ProductType | Self::Vendor => (ProductOrder::Name, false),
            Self::Price => (ProductOrder::Price, false),
            Self::BestSelling => (ProductOrder::UnitsSold, true),
            Self::CreatedAt | Self::UpdatedAt => (ProductOrder::Created, false),
            Self::Id | Self::Relevance => (ProductOrder::Id, false),
        }
    }
}

impl ProductCollectionSortKeys {
    /// The listing order, or `None` for the collection's own order.
    pub fn listing_order(self) -> Option<(ProductOrder, bool)> {
        match self {
            Self::Title => Some((ProductOrder::Name, false)),
            Self::Price => Some((ProductOrder::Price, false)),
            Self::BestSelling => Some((ProductOrder::UnitsSold, true)),
            Self::Created => Some((ProductOrder::Created, false)),
            Self::Id => Some((ProductOrder::Id, false)),
            Self::Manual | Self::CollectionDefault | Self::Relevance => None,
        }
    }
}
