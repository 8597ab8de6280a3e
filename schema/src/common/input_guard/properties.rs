//! Property tests of the request guard: for generated documents — fragments spreading each
//! other in any pattern, cycles included — the linear measurement agrees with a naive
//! expansion (bounded by the same limit), and the text pass never panics on any input.
//! `PROPTEST_CASES` sets how many documents are tried (CI runs the default, briefly).

use super::expansion::{self, ExpansionRefusal, MAX_EXPANDED};
use super::text;
use async_graphql::parser::parse_query;
use proptest::prelude::*;

/// One selection of a generated document.
#[derive(Clone, Debug)]
enum Item {
    Field(Vec<Item>),
    Spread(usize),
    Inline(Vec<Item>),
}

fn items() -> impl Strategy<Value = Vec<Item>> {
    let leaf = prop_oneof![
        Just(Item::Field(Vec::new())),
        (0usize..6).prop_map(Item::Spread),
    ];
    let item = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Item::Field),
            prop::collection::vec(inner, 1..4).prop_map(Item::Inline),
        ]
    });
    prop::collection::vec(item, 1..5)
}

/// Up to six fragments F0..F5 (spreads may name missing ones) and one to three operations.
fn documents() -> impl Strategy<Value = (Vec<Vec<Item>>, Vec<Vec<Item>>)> {
    (
        prop::collection::vec(items(), 0..6),
        prop::collection::vec(items(), 1..3),
    )
}

fn render(items: &[Item], out: &mut String) {
    out.push('{');
    for item in items {
        match item {
            Item::Field(children) if children.is_empty() => out.push_str(" a"),
            Item::Field(children) => {
                out.push_str(" a ");
                render(children, out);
            }
            Item::Spread(target) => out.push_str(&format!(" ...F{target}")),
            Item::Inline(children) => {
                out.push_str(" ... on Query ");
                render(children, out);
            }
        }
    }
    out.push_str(" }");
}

fn text_of(fragments: &[Vec<Item>], operations: &[Vec<Item>]) -> String {
    let mut text = String::new();
    for (i, operation) in operations.iter().enumerate() {
        text.push_str(&format!("query Q{i} "));
        render(operation, &mut text);
        text.push('\n');
    }
    for (i, fragment) in fragments.iter().enumerate() {
        text.push_str(&format!("fragment F{i} on Query "));
        render(fragment, &mut text);
        text.push('\n');
    }
    text
}

/// The naive measure: expand every spread where it stands, stopping past the limit.
struct Naive<'a> {
    fragments: &'a [Vec<Item>],
    total: usize,
    path: Vec<usize>,
}

impl Naive<'_> {
    fn items(&mut self, items: &[Item]) -> Result<(), ExpansionRefusal> {
        for item in items {
            self.total += 1;
            if self.total > MAX_EXPANDED {
                return Err(ExpansionRefusal::TooLarge);
            }
            match item {
                Item::Field(children) | Item::Inline(children) => self.items(children)?,
                Item::Spread(target) => {
                    let Some(fragment) = self.fragments.get(*target) else {
                        continue;
                    };
                    if self.path.contains(target) {
                        return Err(ExpansionRefusal::Cycle(format!("F{target}")));
                    }
                    self.path.push(*target);
                    self.items(fragment)?;
                    self.path.pop();
                }
            }
        }
        Ok(())
    }
}

fn naive(fragments: &[Vec<Item>], operations: &[Vec<Item>]) -> Result<usize, ExpansionRefusal> {
    let mut naive = Naive {
        fragments,
        total: 0,
        path: Vec::new(),
    };
    for (i, fragment) in fragments.iter().enumerate() {
        naive.path = vec![i];
        naive.items(fragment)?;
    }
    for operation in operations {
        naive.path.clear();
        naive.items(operation)?;
    }
    Ok(naive.total)
}

proptest! {
    #[test]
    fn the_linear_measure_agrees_with_full_expansion((fragments, operations) in documents()) {
        let text = text_of(&fragments, &operations);
        let shape = text::measure(&text);
        prop_assert!(shape.is_ok(), "{text}");
        let document = parse_query(&text);
        prop_assert!(document.is_ok(), "{text}");
        let Ok(document) = document else { return Ok(()) };
        let measured = expansion::check(&document);
        match naive(&fragments, &operations) {
            Ok(total) => prop_assert_eq!(measured, Ok(total), "{}", text),
            // Both refuse; which reason comes first depends on the order of the walk.
            Err(_) => prop_assert!(measured.is_err(), "{text}"),
        }
    }

    #[test]
    fn the_text_pass_survives_any_input(input in any::<String>(), bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for text in [input, String::from_utf8_lossy(&bytes).into_owned()] {
            if let Ok(shape) = text::measure(&text) {
                prop_assert!(shape.tokens <= text.len());
                prop_assert!(shape.max_nesting <= text::MAX_NESTING);
            }
        }
    }
}
