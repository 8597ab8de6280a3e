//! `search`: full-text search with facets (category, brand, price range, stock), rotating
//! through queries a shop sees: plain words, prefixes and typos, a filter, a price sort, and
//! the empty query (browse everything).

use crate::load::{Rec, Scenario};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const QUERY: &str = "query($q:String,$f:ProductSearchFilter,$s:SearchSortKey){ search(query:$q, filter:$f, sortKey:$s, first:24, facets:[CATEGORY,BRAND,PRICE_RANGE,IN_STOCK]) { totalHits hits{ product{ id name slug priceRange{minVariantPrice{amount currencyCode}} } highlights{field snippet} } facets{ name values{ value count label } } } }";

/// (query, filter, sort key), in rotation.
const ROTATION: usize = 7;

/// The variables of the `n`-th search of the rotation.
pub fn variables(n: usize) -> Value {
    match n % ROTATION {
        0 => json!({ "q": "boot" }),
        1 => json!({ "q": "hoodi" }),
        2 => json!({ "q": "cotten tee" }),
        3 => json!({ "q": "jakcet" }),
        4 => json!({ "q": "linen", "f": { "inStock": true } }),
        5 => json!({ "q": "mug", "s": "PRICE" }),
        _ => json!({ "q": "" }),
    }
}

pub struct Search {
    rotation: Vec<Value>,
    next: AtomicUsize,
}

impl Default for Search {
    fn default() -> Self {
        Self {
            rotation: (0..ROTATION).map(variables).collect(),
            next: AtomicUsize::new(0),
        }
    }
}

/// The part of the answer checked: facets came back.
#[derive(serde::Deserialize)]
struct Answer {
    search: Results,
}

#[derive(serde::Deserialize)]
struct Results {
    facets: Vec<serde::de::IgnoredAny>,
}

impl Scenario for Search {
    async fn iteration(&self, rec: &mut Rec) {
        let n = self.next.fetch_add(1, Ordering::Relaxed) % ROTATION;
        if let Some(answer) = rec
            .call_typed::<Answer>("search", QUERY, &self.rotation[n])
            .await
            && answer.search.facets.is_empty()
        {
            rec.fail("search", "no facets in the answer");
        }
    }
}
