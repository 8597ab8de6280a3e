//! One code-applying mutation per request.
//!
//! Discount codes are counted against per-cart and per-client budgets, but a single request
//! holding many aliased `cartDiscountCodesUpdate` fields would still try many codes at once
//! and learn which one worked from one answer. So the operation that runs may apply codes
//! once; a document asking for more is refused before anything runs (`guarded.rs` calls
//! [`check`] for HTTP and websockets alike).
//!
//! The count follows the root selection through inline fragments and fragment spreads, each
//! fragment counted once (memoised), so it costs one pass over the document whatever its
//! shape.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, OperationDefinition, OperationType,
    Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Request, ServerError, ServerResult, Value};
use std::collections::HashMap;

/// Mutations that try discount codes: `cartCreate` takes codes on the Shopify-shaped endpoint
/// (`input.discountCodes`). (`checkoutComplete` takes none; a mutation that starts taking
/// codes belongs here.)
pub const CODE_APPLYING_MUTATIONS: &[&str] = &["cartDiscountCodesUpdate", "cartCreate"];

/// Refuses a request whose operation would apply discount codes more than once.
pub fn check(request: &mut Request) -> ServerResult<()> {
    let operation_name = request.operation_name.clone();
    let document = request.parsed_query()?;
    let Some(operation) = operation_to_run(document, operation_name.as_deref()) else {
        // No operation, or an ambiguous choice: execution refuses it anyway.
        return Ok(());
    };
    if operation.ty != OperationType::Mutation {
        return Ok(());
    }
    let mut counter = Counter {
        fragments: &document.fragments,
        counted: HashMap::new(),
    };
    if counter.count(&operation.selection_set.node) > 1 {
        let mut error = ServerError::new(
            format!(
                "a request may apply discount codes once: send one of {} per request",
                CODE_APPLYING_MUTATIONS.join(", ")
            ),
            None,
        );
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", Value::from("BAD_USER_INPUT"));
        return Err(error);
    }
    Ok(())
}

/// The operation the request selects, as execution will choose it.
fn operation_to_run<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

struct Counter<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    /// Per fragment: its count, or `None` while it is being counted (a cycle, which
    /// validation refuses anyway, counts as nothing).
    counted: HashMap<&'a str, Option<usize>>,
}

impl<'a> Counter<'a> {
    /// Code-applying fields among the root fields of `set` (saturating).
    fn count(&mut self, set: &'a SelectionSet) -> usize {
        let mut total = 0usize;
        for selection in &set.items {
            let found = match &selection.node {
                Selection::Field(field) => {
                    usize::from(CODE_APPLYING_MUTATIONS.contains(&field.node.name.node.as_str()))
                }
                Selection::InlineFragment(inline) => self.count(&inline.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    self.count_fragment(spread.node.fragment_name.node.as_str())
                }
            };
            total = total.saturating_add(found);
        }
        total
    }

    fn count_fragment(&mut self, name: &'a str) -> usize {
        if let Some(known) = self.counted.get(name) {
            return known.unwrap_or(0);
        }
        let Some(fragment) = self.fragments.get(name) else {
            return 0;
        };
        self.counted.insert(name, None);
        let found = self.count(&fragment.node.selection_set.node);
        self.counted.insert(name, Some(found));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(query: &str, operation: Option<&str>) -> bool {
        let mut request = Request::new(query);
        request.operation_name = operation.map(str::to_owned);
        check(&mut request).is_err()
    }

    #[test]
    fn one_code_applying_mutation_per_operation() {
        let one = "mutation { cartDiscountCodesUpdate(cartId: \"1\", discountCodes: [\"A\"]) { cart { id } } }";
        assert!(!refused(one, None));
        let aliased = "mutation { a: cartDiscountCodesUpdate(cartId: \"1\", discountCodes: [\"A\"]) { cart { id } } b: cartDiscountCodesUpdate(cartId: \"1\", discountCodes: [\"B\"]) { cart { id } } }";
        assert!(refused(aliased, None));
        let through_fragments = "mutation { ...F ... on Mutation { ...F } } fragment F on Mutation { cartDiscountCodesUpdate(cartId: \"1\", discountCodes: [\"A\"]) { cart { id } } }";
        assert!(refused(through_fragments, None));
        // Only the operation that runs counts.
        let two_operations = format!("{one} mutation B {{ cartCreate {{ cart {{ id }} }} }}")
            .replacen("mutation {", "mutation A {", 1);
        assert!(!refused(&two_operations, Some("A")));
        assert!(!refused(&two_operations, Some("B")));
        // Queries and cycles are left to validation.
        assert!(!refused("{ products(first: 1) { nodes { id } } }", None));
        assert!(!refused(
            "mutation { ...F } fragment F on Mutation { ...G } fragment G on Mutation { ...F }",
            None
        ));
    }
}
