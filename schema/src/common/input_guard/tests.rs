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
