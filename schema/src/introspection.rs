//! Refuses introspection queries with a clear error when introspection is off (production).
//! async-graphql on its own answers `__schema` with `null`, which looks like a server bug to
//! a client; an explicit FORBIDDEN says what is going on.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// Whether the document selects `__schema` or `__type` anywhere (`crate::guarded` refuses it
/// with FORBIDDEN when introspection is off).
pub(crate) fn asks_for_introspection(document: &ExecutableDocument) -> bool {
    document
        .operations
        .iter()
        .any(|(_, op)| selects_introspection(&op.node.selection_set.node))
        || document
            .fragments
            .values()
            .any(|f| selects_introspection(&f.node.selection_set.node))
}

fn selects_introspection(set: &SelectionSet) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            let name = field.node.name.node.as_str();
            name == "__schema"
                || name == "__type"
                || selects_introspection(&field.node.selection_set.node)
        }
        Selection::InlineFragment(fragment) => {
            selects_introspection(&fragment.node.selection_set.node)
        }
        // Named fragments are checked on their own definitions.
        Selection::FragmentSpread(_) => false,
    })
}
