//! Which subscriptions may be resolved once for every subscriber who sends the same thing.
//!
//! async-graphql runs each subscription on its own: ten thousand storefront tabs watching one
//! variant would resolve and serialise every stock change ten thousand times. An answer that
//! does not depend on who asks can be resolved once and handed to all of them; the server
//! (its websocket layer) does that for the subscriptions this module calls shareable.
//!
//! Shareable means: the selected operation is a subscription, and every field at its root is
//! one whose answer depends only on its arguments (`VIEWER_INDEPENDENT`), never on the viewer,
//! the session or the connection. Anything else (a fragment spread at the root, a persisted
//! query sent as a hash alone, a document the input guard would refuse) runs on its own, as
//! before, and gets the guard's verdict there.

use crate::common::input_guard::text;
use async_graphql::Request;
use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};

/// Root subscription fields whose answers depend on nothing but their arguments. A field
/// belongs here only if it reads no viewer, session or connection state (`lowStock` is for
/// staff, `orderUpdated` checks who may follow the order, so neither is here).
pub const VIEWER_INDEPENDENT: &[&str] = &["stockChanged"];

/// Whether `request` may share one execution with every identical request (same document,
/// operation name and variables).
pub fn shareable(request: &Request) -> bool {
    if request.query.is_empty() || !request.extensions.is_empty() {
        return false;
    }
    // Measured without parsing first: a document the guard refuses is not parsed here.
    let Ok(shape) = text::measure(&request.query) else {
        return false;
    };
    if shape.selected(request.operation_name.as_deref()) != Some(OperationType::Subscription) {
        return false;
    }
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let operation = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => operation,
            None => return false,
        },
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            match operations.values().next() {
                Some(operation) => operation,
                None => return false,
            }
        }
        (DocumentOperations::Multiple(_), None) => return false,
    };
    let root = &operation.node.selection_set.node.items;
    !root.is_empty()
        && root.iter().all(|selection| match &selection.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                name == "__typename" || VIEWER_INDEPENDENT.contains(&name)
            }
            Selection::FragmentSpread(_) | Selection::InlineFragment(_) => false,
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use async_graphql::Variables;

    fn request(query: &str) -> Request {
        Request::new(query)
    }

    #[test]
    fn public_stock_subscriptions_are_shareable() {
        assert!(shareable(&request(
            "subscription($v:[ID!]){ stockChanged(variantIds:$v){ eventId available } }"
        )));
        let with_variables =
            request("subscription W($v:[ID!]){ a: stockChanged(variantIds:$v){ sku } __typename }")
                .variables(Variables::from_json(serde_json::json!({ "v": [] })));
        assert!(shareable(&with_variables));
    }

    #[test]
    fn anything_that_may_depend_on_the_viewer_is_not() {
        for query in [
            "subscription { lowStock { sku } }",
            "subscription { stockChanged { sku } lowStock { sku } }",
            "subscription { orderUpdated(orderId: \"x\") { status } }",
            "subscription { ...F } fragment F on SubscriptionRoot { stockChanged { sku } }",
            "query { products { totalCount } }",
            "subscription { stockChanged { sku } ",
            "",
        ] {
            assert!(!shareable(&request(query)), "{query}");
        }
    }

    #[test]
    fn the_selected_operation_decides() {
        let document =
            "query Q { products { totalCount } } subscription S { stockChanged { sku } }";
        assert!(shareable(&request(document).operation_name("S")));
        assert!(!shareable(&request(document).operation_name("Q")));
        assert!(!shareable(&request(document)));
    }

    #[test]
    fn a_hash_only_persisted_query_is_not() {
        let mut hash_only = request("");
        hash_only.extensions.insert(
            "persistedQuery".into(),
            async_graphql::Value::from_json(
                serde_json::json!({ "version": 1, "sha256Hash": "ab" }),
            )
            .unwrap(),
        );
        assert!(!shareable(&hash_only));
    }
}
