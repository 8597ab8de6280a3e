//! Refuses introspection queries with a clear error when introspection is off (production).
//! async-graphql on its own answers `__schema` with `null`, which looks like a server bug to
//! a client; an explicit FORBIDDEN says what is going on.
//!
//! Federation's `_service { sdl }` is introspection by another name (the whole schema as
//! text), so it is refused the same way — except to the federation router, which proves
//! itself with the `FEDERATION_SDL_KEY` header (or is given the checked-in SDL file).

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// Whether the document selects `__schema` or `__type` anywhere (`crate::guarded` refuses it
/// with FORBIDDEN when introspection is off).
pub(crate) fn asks_for_introspection(document: &ExecutableDocument) -> bool {
    selects_any(document, &["__schema", "__type"])
}

/// Whether the document selects federation's `_service` (the subgraph's SDL).
pub(crate) fn asks_for_service_sdl(document: &ExecutableDocument) -> bool {
    selects_any(document, &["_service"])
}

fn selects_any(document: &ExecutableDocument, names: &[&str]) -> bool {
    document
        .operations
        .iter()
        .any(|(_, op)| selects(&op.node.selection_set.node, names))
        || document
            .fragments
            .values()
            .any(|f| selects(&f.node.selection_set.node, names))
}

fn selects(set: &SelectionSet, names: &[&str]) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            names.contains(&field.node.name.node.as_str())
                || selects(&field.node.selection_set.node, names)
        }
        Selection::InlineFragment(fragment) => selects(&fragment.node.selection_set.node, names),
        // Named fragments are checked on their own definitions.
        Selection::FragmentSpread(_) => false,
    })
}
