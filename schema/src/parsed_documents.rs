//! Query documents already parsed, kept by their text.
//!
//! A storefront sends the same few documents over and over (the product grid, the product
//! page, the cart), with different variables. Parsing one is the costliest step before
//! execution (async-graphql's parser is a PEG parser working character by character): on the
//! product page it was ~5 % of the server's CPU. A document kept here has passed the input
//! guard's text and document checks, which depend on the text alone, so a request with the
//! same text starts from a copy of it. Execution prunes `@skip`/`@include` from its own copy,
//! so each request gets one.

use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

/// How many documents are kept: far more than a storefront's operations, and small (a
/// document's text is bounded by the input guard).
const KEPT_DOCUMENTS: NonZeroUsize = match NonZeroUsize::new(512) {
    Some(n) => n,
    None => NonZeroUsize::MIN,
};

/// The longest text kept. A storefront's documents are a few KiB; without a bound a caller
/// sending distinct documents near the body limit could make the cache hold hundreds of MiB.
/// Longer documents are parsed each time, as before.
const KEPT_TEXT_BYTES: usize = 16 * 1024;

/// The documents parsed lately, least recently used dropped first.
pub struct ParsedDocuments {
    kept: Mutex<LruCache<String, Arc<ExecutableDocument>>>,
}

impl Default for ParsedDocuments {
    fn default() -> Self {
        Self {
            kept: Mutex::new(LruCache::new(KEPT_DOCUMENTS)),
        }
    }
}

impl ParsedDocuments {
    /// The document of `text`, when it was parsed and accepted by the input guard lately.
    pub fn get(&self, text: &str) -> Option<Arc<ExecutableDocument>> {
        self.kept.lock().ok()?.get(text).cloned()
    }

    /// Keeps the document of `text`, which passed the input guard, unless the text is long.
    pub fn keep(&self, text: String, document: ExecutableDocument) {
        if text.len() > KEPT_TEXT_BYTES {
            return;
        }
        if let Ok(mut kept) = self.kept.lock() {
            kept.put(text, Arc::new(document));
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.kept.lock().map(|kept| kept.len()).unwrap_or(0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    #[test]
    fn a_kept_document_is_found_by_its_exact_text() {
        let documents = ParsedDocuments::default();
        let text = "{ products(first: 2) { nodes { id } } }";
        documents.keep(text.to_owned(), parse_query(text).unwrap());
        let found = documents.get(text).expect("kept");
        assert_eq!(found.operations.iter().count(), 1);
        assert!(
            documents
                .get("{ products(first: 3) { nodes { id } } }")
                .is_none()
        );
    }

    #[test]
    fn a_long_text_is_not_kept() {
        let documents = ParsedDocuments::default();
        let padding = " ".repeat(KEPT_TEXT_BYTES);
        let text = format!("{{ products(first: 2) {{ nodes {{ id }} }} }}{padding}");
        documents.keep(text.clone(), parse_query(&text).unwrap());
        assert!(documents.get(&text).is_none());
        assert_eq!(documents.len(), 0);
    }

    #[test]
    fn the_least_recently_used_document_is_dropped_past_the_bound() {
        let documents = ParsedDocuments::default();
        let text = |n: usize| format!("{{ product(slug: \"p{n}\") {{ id }} }}");
        for n in 0..=KEPT_DOCUMENTS.get() {
            documents.keep(text(n), parse_query(text(n)).unwrap());
        }
        assert_eq!(documents.len(), KEPT_DOCUMENTS.get());
        assert!(documents.get(&text(0)).is_none(), "the oldest went first");
        assert!(documents.get(&text(KEPT_DOCUMENTS.get())).is_some());
    }
}
