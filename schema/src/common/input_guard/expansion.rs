//! The size of a parsed document with every fragment spread expanded, computed in time
//! linear in the document.
//!
//! Why: validation (and execution) walk the expanded document. Fragments that each spread
//! the previous one twice double it at every level — a 905-byte document of 24 such levels
//! expands to 16 million selections and once cost 13 s of CPU before any other limit acted.
//! Here each fragment is measured once (its own selections, plus the memoised sizes of the
//! fragments it spreads, once per spread), so the refusal is as cheap as the parse.

use async_graphql::Positioned;
use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use async_graphql::parser::types::{FragmentDefinition, OperationDefinition};
use std::collections::{HashMap, HashSet};

/// Selections (fields, fragment spreads, inline fragments) plus directives that the expanded
/// document may hold, over all its operations and fragment definitions. Honest documents stay
/// in the hundreds: GraphiQL's introspection query expands to about 300.
pub const MAX_EXPANDED: usize = 5_000;

/// Why a document was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum ExpansionRefusal {
    /// A fragment spreads itself, directly or through others (named).
    Cycle(String),
    /// The expanded document is larger than [`MAX_EXPANDED`].
    TooLarge,
}

/// What one definition holds itself: its own nodes, and the fragments it spreads (once per
/// spread).
struct Own<'d> {
    nodes: usize,
    spreads: Vec<&'d str>,
}

/// Checks the expanded size of `document` (operations and fragment definitions together).
pub fn check(document: &ExecutableDocument) -> Result<usize, ExpansionRefusal> {
    let fragments: HashMap<&str, Own<'_>> = document
        .fragments
        .iter()
        .map(|(name, fragment)| (name.as_str(), own_of_fragment(fragment)))
        .collect();
    let sizes = fragment_sizes(&fragments)?;
    let expanded = |own: &Own<'_>| {
        own.spreads.iter().fold(own.nodes, |total, name| {
            total.saturating_add(sizes.get(name).copied().unwrap_or(0))
        })
    };
    let mut total = sizes.values().fold(0usize, |t, s| t.saturating_add(*s));
    for (_, operation) in document.operations.iter() {
        total = total.saturating_add(expanded(&own_of_operation(&operation.node)));
    }
    if total > MAX_EXPANDED {
        return Err(ExpansionRefusal::TooLarge);
    }
    Ok(total)
}

/// The expanded size of every fragment, by an explicit depth-first walk (no recursion, so a
/// long chain of fragments cannot exhaust the stack); a spread back into a fragment still being
/// measured is a cycle. Spreads of unknown fragments count nothing (validation names them).
fn fragment_sizes<'d>(
    fragments: &HashMap<&'d str, Own<'d>>,
) -> Result<HashMap<&'d str, usize>, ExpansionRefusal> {
    let mut sizes: HashMap<&str, usize> = HashMap::with_capacity(fragments.len());
    let mut in_progress: HashSet<&str> = HashSet::new();
    for &root in fragments.keys() {
        if sizes.contains_key(root) {
            continue;
        }
        // (fragment, index of the next spread to visit)
        let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
        in_progress.insert(root);
        while let Some(&(name, next)) = stack.last() {
            let own = &fragments[name];
            match own.spreads.get(next) {
                Some(&target) => {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    if sizes.contains_key(target) || !fragments.contains_key(target) {
                        continue;
                    }
                    if in_progress.contains(target) {
                        return Err(ExpansionRefusal::Cycle(target.to_owned()));
                    }
                    in_progress.insert(target);
                    stack.push((target, 0));
                }
                None => {
                    let size = own.spreads.iter().fold(own.nodes, |total, target| {
                        total.saturating_add(sizes.get(target).copied().unwrap_or(0))
                    });
                    // Saturated sizes are still refused at the end; stop early anyway.
                    if size > MAX_EXPANDED {
                        return Err(ExpansionRefusal::TooLarge);
                    }
                    sizes.insert(name, size);
                    in_progress.remove(name);
                    stack.pop();
                }
            }
        }
    }
    Ok(sizes)
}

fn own_of_operation(operation: &OperationDefinition) -> Own<'_> {
    let mut own = Own {
        nodes: operation.directives.len(),
        spreads: Vec::new(),
    };
    own.selections(&operation.selection_set.node);
    own
}

fn own_of_fragment(fragment: &Positioned<FragmentDefinition>) -> Own<'_> {
    let mut own = Own {
        nodes: fragment.node.directives.len(),
        spreads: Vec::new(),
    };
    own.selections(&fragment.node.selection_set.node);
    own
}

impl<'d> Own<'d> {
    /// Nesting is bounded by the text check before parsing (`text::MAX_NESTING`), so this
    /// recursion is shallow.
    fn selections(&mut self, set: &'d SelectionSet) {
        for item in &set.items {
            self.nodes += 1;
            match &item.node {
                Selection::Field(field) => {
                    self.directives(&field.node.directives);
                    self.selections(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    self.directives(&fragment.node.directives);
                    self.selections(&fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => {
                    self.directives(&spread.node.directives);
                    self.spreads.push(spread.node.fragment_name.node.as_str());
                }
            }
        }
    }

    fn directives(&mut self, directives: &[Positioned<Directive>]) {
        self.nodes += directives.len();
    }
}
