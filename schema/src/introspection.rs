//! Refuses introspection queries with a clear error when introspection is off (production).
//! async-graphql on its own answers `__schema` with `null`, which looks like a server bug to
//! a client; an explicit FORBIDDEN says what is going on.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Value, Variables};
use std::sync::Arc;

pub struct RefuseIntrospection;

impl ExtensionFactory for RefuseIntrospection {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RefuseIntrospection)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for RefuseIntrospection {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if asks_for_introspection(&document) {
            let mut error = ServerError::new("introspection is disabled on this server", None);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", Value::from("FORBIDDEN"));
            return Err(error);
        }
        Ok(document)
    }
}

fn asks_for_introspection(document: &ExecutableDocument) -> bool {
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
