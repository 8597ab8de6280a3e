//! The tantivy schema: which field holds what, and how a `ProductDocument` becomes a
//! tantivy document. Text fields go through one analyzer (`shop`: words, lower-cased,
//! accents folded) used for queries too; filter and facet fields are exact strings.

use crate::common::money::CurrencyCode;
use crate::search::backend::{ProductDocument, price_bucket};
use std::collections::HashMap;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{Index, TantivyDocument};

/// The analyzer name registered on every index.
pub const ANALYZER: &str = "shop";

/// Words longer than this are dropped (they are codes, not words).
const LONGEST_WORD: usize = 40;

pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers the analyzer; needed on every `Index` value, new or opened.
pub fn register_analyzer(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

#[derive(Clone, Debug)]
pub struct Fields {
    pub id: Field,
    pub name: Field,
    pub description: Field,
    pub brand: Field,
    pub category_names: Field,
    pub skus: Field,
    /// The brand as written, for the BRAND facet.
    pub brand_facet: Field,
    /// The brand lower-cased, for the brand filter.
    pub brand_key: Field,
    pub category_ids: Field,
    pub attributes: Field,
    pub in_stock: Field,
    pub created_at: Field,
    pub popularity: Field,
    price_min: HashMap<CurrencyCode, Field>,
    price_bucket: HashMap<CurrencyCode, Field>,
}

/// Field names, shared by the schema, the collectors (fast fields are read by name) and the
/// queries.
pub mod names {
    pub const BRAND_FACET: &str = "brand_facet";
    pub const CATEGORY_IDS: &str = "category_ids";
    pub const IN_STOCK: &str = "in_stock";
    pub const CREATED_AT: &str = "created_at";
    pub const POPULARITY: &str = "popularity";

    pub fn price_min(code: &str) -> String {
        format!("price_min_{}", code.to_lowercase())
    }

    pub fn price_bucket(code: &str) -> String {
        format!("price_bucket_{}", code.to_lowercase())
    }
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let text = |stored: bool| {
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            let options = TextOptions::default().set_indexing_options(indexing);
            if stored {
                options.set_stored()
            } else {
                options
            }
        };
        let id = builder.add_text_field("id", STRING | STORED);
        let name = builder.add_text_field("name", text(true));
        let description = builder.add_text_field("description", text(true));
        let brand = builder.add_text_field("brand", text(false));
        let category_names = builder.add_text_field("category_names", text(false));
        let skus = builder.add_text_field("skus", text(false));
        let brand_facet = builder.add_text_field(names::BRAND_FACET, STRING | FAST);
        let brand_key = builder.add_text_field("brand_key", STRING);
        let category_ids = builder.add_text_field(names::CATEGORY_IDS, STRING | FAST);
        let attributes = builder.add_text_field("attributes", STRING);
        let in_stock = builder.add_text_field(names::IN_STOCK, STRING | FAST);
        let created_at = builder.add_i64_field(names::CREATED_AT, FAST);
        let popularity = builder.add_i64_field(names::POPULARITY, FAST);
        let mut price_min = HashMap::new();
        let mut price_bucket = HashMap::new();
        for currency in CurrencyCode::ALL {
            let code = currency.as_str();
            price_min.insert(
                currency,
                builder.add_i64_field(&names::price_min(code), INDEXED | FAST),
            );
            price_bucket.insert(
                currency,
                builder.add_text_field(&names::price_bucket(code), STRING | FAST),
            );
        }
        let fields = Fields {
            id,
            name,
            description,
            brand,
            category_names,
            skus,
            brand_facet,
            brand_key,
            category_ids,
            attributes,
            in_stock,
            created_at,
            popularity,
            price_min,
            price_bucket,
        };
        (builder.build(), fields)
    }

    pub fn price_min(&self, currency: CurrencyCode) -> Option<Field> {
        self.price_min.get(&currency).copied()
    }

    /// The searchable text fields with their weight: a match in the name counts most.
    pub fn weighted_text(&self) -> [(Field, f32); 5] {
        [
            (self.name, 3.0),
            (self.brand, 2.0),
            (self.skus, 2.0),
            (self.category_names, 1.5),
            (self.description, 1.0),
        ]
    }

    pub fn to_document(&self, product: &ProductDocument) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.id, product.id.to_string());
        doc.add_text(self.name, &product.name);
        doc.add_text(self.description, &product.description);
        if let Some(brand) = &product.brand {
            doc.add_text(self.brand, brand);
            doc.add_text(self.brand_facet, brand);
            doc.add_text(self.brand_key, brand.to_lowercase());
        }
        for name in &product.category_names {
            doc.add_text(self.category_names, name);
        }
        for id in &product.category_ids {
            doc.add_text(self.category_ids, id.to_string());
        }
        for sku in &product.skus {
            doc.add_text(self.skus, sku);
        }
        for attribute in &product.attributes {
            doc.add_text(self.attributes, attribute);
        }
        doc.add_text(
            self.in_stock,
            if product.in_stock { "true" } else { "false" },
        );
        doc.add_i64(self.created_at, product.created_at);
        doc.add_i64(self.popularity, i64::from(product.popularity));
        for span in &product.prices {
            if let Some(field) = self.price_min.get(&span.currency) {
                doc.add_i64(*field, span.min);
            }
            if let Some(field) = self.price_bucket.get(&span.currency) {
                doc.add_text(*field, price_bucket(span.min, span.currency));
            }
        }
        doc
    }
}
