//! GraphQL object types of the catalog.

mod category;
mod collection;
mod connection;
mod inputs;
mod product;
mod product_in_memory;
mod variant;

pub use category::Category;
pub use collection::{Collection, CollectionProductConnection};
pub use connection::{CategoryConnection, ProductConnection, ProductEdge};
pub use inputs::{ProductFilter, ProductSortKey};
pub use product::{
    Attribute, Image, PriceRange, Product, ProductOption, ProductStatus, offers_of, product_options,
};
pub use product_in_memory::page_products;
pub use variant::{ProductVariant, SelectedOption};
