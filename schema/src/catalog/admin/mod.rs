pub mod categories;
pub mod category_mutation;
pub mod collection_members;
pub mod collection_mutation;
pub mod collections;
pub mod product_mutation;
pub mod products;
pub mod variants;
