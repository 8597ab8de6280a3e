//! GraphQL object types of the catalog.

mod category;
mod connection;
mod inputs;
mod product;
mod variant;

pub use category::Category;
pub use connection::{CategoryConnection, ProductConnection};
pub use inputs::{ProductFilter, ProductSortKey};
pub use product::{Attribute, Image, PriceRange, Product, ProductStatus};
pub use variant::{ProductVariant, SelectedOption};
