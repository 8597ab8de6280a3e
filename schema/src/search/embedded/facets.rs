//! Facet counts as a tantivy collector: for every matching document, each facet's string
//! fast-field values are counted by term ordinal (no stored-document reads), then the
//! ordinals are turned into values once per segment.

use std::collections::HashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts the values of string fast fields over the matched documents.
pub struct FacetCounter {
    /// Fast field names, one per facet asked for.
    pub fields: Vec<String>,
}

/// Per facet field: value → number of matching documents.
pub type FacetFruit = Vec<HashMap<String, usize>>;

pub struct SegmentFacetCounter {
    columns: Vec<Option<(StrColumn, Vec<u32>)>>,
}

impl Collector for FacetCounter {
    type Fruit = FacetFruit;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let mut columns = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            // A segment where no document has the field has no column for it.
            let column = reader.fast_fields().str(field)?;
            columns.push(column.map(|column| {
                let counts = vec![0u32; column.num_terms()];
                (column, counts)
            }));
        }
        Ok(SegmentFacetCounter { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<FacetFruit>) -> tantivy::Result<FacetFruit> {
        let mut merged: FacetFruit = vec![HashMap::new(); self.fields.len()];
        for segment in segments {
            for (total, counts) in merged.iter_mut().zip(segment) {
                for (value, count) in counts {
                    *total.entry(value).or_default() += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = FacetFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter_mut().flatten() {
            for ord in column.term_ords(doc) {
                if let Some(count) = counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self) -> FacetFruit {
        self.columns
            .into_iter()
            .map(|column| {
                let mut values = HashMap::new();
                let Some((column, counts)) = column else {
                    return values;
                };
                let mut value = String::new();
                for (ord, count) in counts.into_iter().enumerate() {
                    if count == 0 {
                        continue;
                    }
                    value.clear();
                    if matches!(column.ord_to_str(ord as u64, &mut value), Ok(true)) {
                        values.insert(value.clone(), count as usize);
                    }
                }
                values
            })
            .collect()
    }
}
