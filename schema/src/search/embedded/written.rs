//! What the live index holds, as one fingerprint per product document written to it.
//!
//! Every stock change that may flip a product between in and out of stock queues the product
//! for re-indexing, and most of them flip nothing (a variant going from 12 to 11 units). Its
//! document is then built again and comes out the same; writing it anyway cost a tantivy
//! commit — a new segment writer, its hash table and a reader reload — five times a second
//! in the live-stock fan-out. The sync now skips documents equal to what the index holds.
//!
//! The index is this process's alone (one process per index directory), so what it wrote is
//! what the index holds. The fingerprints start empty with each generation (at start, and
//! after a rebuild's switch): the first write of each product is never skipped. They are
//! recorded only after a commit, and a failed write is rolled back, so they always describe
//! the index as of its last commit.

use super::super::backend::ProductDocument;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use uuid::Uuid;

#[derive(Default)]
pub(super) struct Written(HashMap<Uuid, u64>);

impl Written {
    /// The documents of `upserts` that differ from what the index holds, each with its
    /// fingerprint (to [`record`](Self::record) once written).
    pub fn changed<'a>(&self, upserts: &'a [ProductDocument]) -> Vec<(&'a ProductDocument, u64)> {
        upserts
            .iter()
            .map(|document| (document, fingerprint(document)))
            .filter(|(document, print)| self.0.get(&document.id) != Some(print))
            .collect()
    }

    /// Notes a committed write: `written` documents are in the index, `deleted` ones are not.
    pub fn record(&mut self, written: &[(&ProductDocument, u64)], deleted: &[Uuid]) {
        for id in deleted {
            self.0.remove(id);
        }
        for (document, print) in written {
            self.0.insert(document.id, *print);
        }
    }
}

/// A 64-bit hash of every field of the document (SipHash with fixed keys): two documents with
/// the same fingerprint are taken to be equal.
fn fingerprint(document: &ProductDocument) -> u64 {
    let mut hasher = DefaultHasher::new();
    document.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::common::money::CurrencyCode;
    use crate::search::backend::PriceSpan;

    fn document(in_stock: bool) -> ProductDocument {
        ProductDocument {
            id: Uuid::from_u128(7),
            name: "Linen shirt".into(),
            description: "Light".into(),
            brand: None,
            category_ids: vec![],
            category_names: vec![],
            skus: vec!["LS-1".into()],
            prices: vec![PriceSpan {
                currency: CurrencyCode::Usd,
                min: 2500,
                max: 2500,
            }],
            in_stock,
            attributes: vec![],
            created_at: 0,
            popularity: 0,
        }
    }

    #[test]
    fn only_documents_unlike_the_written_ones_are_changed() {
        let mut written = Written::default();
        let first = [document(true)];
        let changed = written.changed(&first);
        assert_eq!(changed.len(), 1, "a product never written is changed");
        written.record(&changed, &[]);
        assert!(
            written.changed(&first).is_empty(),
            "the same document again"
        );
        let flipped = [document(false)];
        assert_eq!(written.changed(&flipped).len(), 1, "in_stock differs");
        written.record(&[], &[first[0].id]);
        assert_eq!(
            written.changed(&first).len(),
            1,
            "a deleted product is written again"
        );
    }
}
