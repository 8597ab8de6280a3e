pub mod categories;
pub mod category_mutation;
pub mod product_mutation;
pub mod products;
pub mod variants;
