//! The guard on a tiny schema: what it refuses, and what it lets through untouched.

use super::{MAX_ALIASES, check_document, check_request};
use async_graphql::{EmptyMutation, EmptySubscription, Object, Response, Schema};
use async_graphql::{Request, Variables};
use serde_json::json;

struct Query;

#[Object]
impl Query {
    async fn echo(&self, text: String) -> String {
        text
    }
}

/// The checks as `crate::guarded` applies them, then the schema.
async fn run(mut request: Request) -> serde_json::Value {
    let schema = Schema::build(Query, EmptyMutation, EmptySubscription).finish();
    let checked = check_request(&request)
        .and_then(|()| request.parsed_query().cloned())
        .and_then(|document| check_document(&document));
    let response = match checked {
        Ok(()) => schema.execute(request).await,
        Err(error) => Response::from_errors(vec![error]),
    };
    serde_json::to_value(&response).unwrap_or_default()
}

fn with_variables(query: &str, variables: serde_json::Value) -> Request {
    Request::new(query).variables(Variables::from_json(variables))
}

fn refused(response: &serde_json::Value, message: &str) -> bool {
    response["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        && response["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains(message))
        && response["data"].is_null()
}

#[tokio::test]
async fn nul_characters_are_refused_wherever_they_are() {
    let echo = "query($t: String!) { echo(text: $t) }";
    let cases = [
        with_variables(echo, json!({ "t": "a\u{0}b" })),
        with_variables(
            echo,
            json!({ "t": "ok", "deep": { "list": ["", "\u{0}"] } }),
        ),
        Request::new("{ echo(text: \"a\\u0000b\") }"),
        Request::new("{ echo(text: \"a\u{0}b\") }"),
        Request::new("query Q { echo(text: \"a\") }").operation_name("Q\u{0}"),
    ];
    for request in cases {
        let response = run(request).await;
        assert!(refused(&response, "NUL"), "{response}");
    }
}

#[tokio::test]
async fn ordinary_and_unusual_text_passes() {
    let echo = "query($t: String!) { echo(text: $t) }";
    for text in [
        "plain",
        "Café 👩‍👩‍👧 שלום",
        "tab\tand\nnewline",
        "\u{200b}\u{202e}",
    ] {
        let response = run(with_variables(echo, json!({ "t": text }))).await;
        assert_eq!(response["data"]["echo"], text, "{response}");
    }
}

#[tokio::test]
async fn alias_floods_are_refused() {
    let aliased = |count: usize| {
        let fields: String = (0..count)
            .map(|i| format!(" a{i}: echo(text: \"x\")"))
            .collect();
        format!("{{{fields} }}")
    };
    let response = run(Request::new(aliased(MAX_ALIASES))).await;
    assert_eq!(response["data"]["a0"], "x", "{response}");
    let response = run(Request::new(aliased(10_000))).await;
    assert!(refused(&response, "aliased fields"), "{response}");
    // Aliases inside fragments count too.
    let fields: String = (0..=MAX_ALIASES)
        .map(|i| format!(" a{i}: echo(text: \"x\")"))
        .collect();
    let query = format!("{{ ...F }} fragment F on Query {{{fields} }}");
    let response = run(Request::new(query)).await;
    assert!(refused(&response, "aliased fields"), "{response}");
}

mod costly_documents {
    use super::super::expansion::{self, ExpansionRefusal, MAX_EXPANDED};
    use super::super::text::{self, MAX_NESTING, MAX_TOKENS, TextRefusal};
    use async_graphql::parser::parse_query;
    use async_graphql::parser::types::OperationType;

    fn bomb(levels: usize) -> String {
        let mut document = "{ ...F0 } fragment F0 on Query { a }".to_owned();
        document = document.replace("...F0", &format!("...F{levels}"));
        for level in 1..=levels {
            let previous = level - 1;
            document.push_str(&format!(
                " fragment F{level} on Query {{ ...F{previous} ...F{previous} }}"
            ));
        }
        document
    }

    fn expanded(query: &str) -> Result<usize, ExpansionRefusal> {
        let document = parse_query(query).map_err(|_| ExpansionRefusal::TooLarge)?;
        expansion::check(&document)
    }

    #[test]
    fn fragments_are_measured_expanded() {
        // `{ a }`: one field.
        assert_eq!(expanded("{ a }"), Ok(1));
        // Operation: one spread; F: a field and a directive; measured once for the definition
        // and once where it is spread.
        assert_eq!(
            expanded("{ ...F } fragment F on Query { a @skip(if: true) }"),
            Ok(1 + 2 + 2)
        );
        // 8 levels of doubling: 2^8 leaves plus the spreads, well under the limit.
        assert!(expanded(&bomb(8)).is_ok_and(|n| n < MAX_EXPANDED));
        assert_eq!(expanded(&bomb(24)), Err(ExpansionRefusal::TooLarge));
        assert_eq!(expanded(&bomb(200)), Err(ExpansionRefusal::TooLarge));
    }

    #[test]
    fn fragment_cycles_are_named() {
        assert_eq!(
            expanded("{ ...A } fragment A on Query { ...A }"),
            Err(ExpansionRefusal::Cycle("A".into()))
        );
        assert!(matches!(
            expanded(
                "{ a } fragment A on Query { ...B } fragment B on Query { b { ...C } } fragment C on Q { ...A }"
            ),
            Err(ExpansionRefusal::Cycle(_))
        ));
        // Spreading an unknown fragment is validation's to report.
        assert_eq!(expanded("{ ...Nowhere }"), Ok(1));
    }

    #[test]
    fn a_long_chain_of_fragments_does_not_exhaust_the_stack() {
        let mut document = "{ ...F0 }".to_owned();
        for i in 0..3_000 {
            document.push_str(&format!(" fragment F{i} on Query {{ ...F{} }}", i + 1));
        }
        document.push_str(" fragment F3000 on Query { a }");
        assert_eq!(expanded(&document), Err(ExpansionRefusal::TooLarge));
    }

    #[test]
    fn the_text_is_measured_before_parsing() {
        let shape =
            text::measure("query Q($id: ID!) @a { p(id: $id) { ...F } } fragment F on P { n }")
                .unwrap_or_default();
        assert_eq!(shape.directives, 1);
        assert_eq!(shape.max_nesting, 2);
        assert_eq!(
            shape.operations,
            vec![(OperationType::Query, Some("Q".into()))]
        );
        assert_eq!(shape.tokens, 31);

        let flat = format!("{{ {} }}", "a ".repeat(MAX_TOKENS));
        assert_eq!(text::measure(&flat), Err(TextRefusal::TooManyTokens));
        let deep = "{a".repeat(MAX_NESTING + 1);
        assert_eq!(text::measure(&deep), Err(TextRefusal::TooDeep));
        // Strings and comments are one token however long, and hide their braces.
        let quiet = format!(
            "# {{{{{{ \n{{ a(s: \"{}\", b: \"\"\"{{ \\\"\"\" }}\"\"\") }}",
            "{".repeat(10_000)
        );
        assert_eq!(text::measure(&quiet).map(|s| s.max_nesting), Ok(2));
    }

    #[test]
    fn the_operation_that_runs_is_read_from_the_text() {
        let mixed = "query A { a } mutation B @x { b } subscription { c } fragment F on Q { d }";
        let shape = text::measure(mixed).unwrap_or_default();
        assert_eq!(shape.selected(Some("A")), Some(OperationType::Query));
        assert_eq!(shape.selected(Some("B")), Some(OperationType::Mutation));
        assert_eq!(shape.selected(Some("x")), None);
        assert_eq!(shape.selected(None), None, "several operations need a name");
        let shorthand = text::measure("{ a }").unwrap_or_default();
        assert_eq!(shorthand.selected(None), Some(OperationType::Query));
        let single = text::measure("mutation { a }").unwrap_or_default();
        assert_eq!(single.selected(None), Some(OperationType::Mutation));
    }
}
