//! The walk over a parsed document: aliases as written, and NUL characters in string
//! literals (escaped as `\u0000`, so invisible in the query text the request check sees).

use super::value_has_nul;
use async_graphql::Positioned;
use async_graphql::Value;
use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use std::convert::Infallible;

/// Whether a literal argument value holds a NUL (variables count as null: `prepare_request`
/// checks them). A macro, because async-graphql does not export the type of literal values.
macro_rules! arguments_have_nul {
    ($arguments:expr) => {
        $arguments.iter().any(|(_, value)| {
            let value = value
                .node
                .clone()
                .into_const_with(|_| Ok::<_, Infallible>(Value::Null));
            value.is_ok_and(|v| value_has_nul(&v))
        })
    };
}

/// What the parsed document holds: aliased fields as written (a fragment counts once however
/// often it is spread; the complexity limit counts the expanded document), and whether a
/// string literal holds a NUL.
#[derive(Default)]
pub(super) struct Scan {
    pub aliases: usize,
    pub nul: bool,
}

impl Scan {
    pub fn document(document: &ExecutableDocument) -> Self {
        let mut scan = Self::default();
        for (_, operation) in document.operations.iter() {
            let operation = &operation.node;
            for variable in &operation.variable_definitions {
                let default = variable.node.default_value.as_ref();
                scan.nul |= default.is_some_and(|v| value_has_nul(&v.node));
                scan.directives(&variable.node.directives);
            }
            scan.directives(&operation.directives);
            scan.selections(&operation.selection_set.node);
        }
        for fragment in document.fragments.values() {
            scan.directives(&fragment.node.directives);
            scan.selections(&fragment.node.selection_set.node);
        }
        scan
    }

    fn selections(&mut self, set: &SelectionSet) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    self.aliases += usize::from(field.alias.is_some());
                    self.nul |= arguments_have_nul!(field.arguments);
                    self.directives(&field.directives);
                    self.selections(&field.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    self.directives(&fragment.node.directives);
                    self.selections(&fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => self.directives(&spread.node.directives),
            }
        }
    }

    fn directives(&mut self, directives: &[Positioned<Directive>]) {
        for directive in directives {
            self.nul |= arguments_have_nul!(directive.node.arguments);
        }
    }
}
