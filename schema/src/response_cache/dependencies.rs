//! What a query's answer depended on, recorded while it runs, so a cached answer can be
//! dropped exactly when one of those facts changes.
//!
//! Every cached answer depends on the catalog as a whole (a staff edit drops them all; edits
//! are rare). Stock changes all the time, so stock is tracked finely: the loaders that read
//! stock record the product and variant ids they read it for, and a `stock.changed` event drops
//! only the answers that showed that product or variant. Answers whose *membership* depends on
//! stock (an in-stock filter, in-stock facet counts) record `any_stock` instead.

use std::collections::HashSet;
use std::sync::Mutex;
use uuid::Uuid;

/// Filled by loaders and resolvers during one request; read once when the answer is stored.
#[derive(Debug, Default)]
pub struct ReadDependencies {
    recorded: Mutex<Dependencies>,
}

/// The facts an answer showed, beyond the catalog itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dependencies {
    /// Products and variants whose stock figures the answer showed.
    pub stock_of: HashSet<Uuid>,
    /// The answer depends on the stock of products it does not show.
    pub any_stock: bool,
    /// The answer came from the search index, which is updated shortly after the database.
    pub search_index: bool,
}

impl ReadDependencies {
    /// The answer showed stock of these products or variants.
    pub fn stock_of(&self, ids: impl IntoIterator<Item = Uuid>) {
        self.with(|deps| deps.stock_of.extend(ids));
    }

    /// The answer depends on the stock of any product.
    pub fn any_stock(&self) {
        self.with(|deps| deps.any_stock = true);
    }

    /// The answer was read from the search index.
    pub fn search_index(&self) {
        self.with(|deps| deps.search_index = true);
    }

    pub fn snapshot(&self) -> Dependencies {
        match self.recorded.lock() {
            Ok(deps) => deps.clone(),
            // A panic while recording leaves nothing trustworthy: claim every dependency.
            Err(_) => Dependencies {
                any_stock: true,
                search_index: true,
                ..Dependencies::default()
            },
        }
    }

    fn with(&self, record: impl FnOnce(&mut Dependencies)) {
        // A poisoned lock is recovered: the set stays a superset of what was read.
        let mut deps = match self.recorded.lock() {
            Ok(deps) => deps,
            Err(poisoned) => poisoned.into_inner(),
        };
        record(&mut deps);
    }
}
