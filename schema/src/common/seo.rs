//! What search engines and link previews show for a product, a collection or a page: one
//! GraphQL type (`Seo`) for all of them, as storefronts read it the same way everywhere.

use async_graphql::SimpleObject;

/// A title and description for search engines; null means the storefront's own default
/// (products fill in their name and description; see `Product.seo`).
#[derive(SimpleObject, Clone, Debug, Default, PartialEq, Eq)]
pub struct Seo {
    pub title: Option<String>,
    pub description: Option<String>,
}
