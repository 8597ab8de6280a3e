//! A GraphQL request from a GET query string, as the GraphQL-over-HTTP spec writes it:
//! `query`, `operationName`, and `variables` / `extensions` as JSON.
//!
//! async-graphql's own parser reads `operation_name` only, so a client following the spec
//! would have its `operationName` ignored — and a multi-operation document refused, or worse,
//! judged by the wrong operation. Both spellings are accepted here.

use async_graphql::{Request, Variables};
use axum::extract::Query;
use axum::http::Uri;
use serde::Deserialize;

#[derive(Deserialize)]
struct Params {
    #[serde(default)]
    query: String,
    #[serde(rename = "operationName", alias = "operation_name")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

/// The request a GET URI carries, or what is wrong with it.
pub fn parse(uri: &Uri) -> Result<Request, String> {
    let Query(params) = Query::<Params>::try_from_uri(uri)
        .map_err(|err| format!("the query string is not a GraphQL request: {err}"))?;
    let mut request = Request::new(params.query);
    // An empty `operationName=` is what some clients send for "none".
    if let Some(name) = params.operation_name.filter(|name| !name.is_empty()) {
        request = request.operation_name(name);
    }
    if let Some(variables) = params.variables.filter(|v| !v.is_empty()) {
        let variables: Variables = serde_json::from_str(&variables)
            .map_err(|err| format!("`variables` is not a JSON object: {err}"))?;
        request = request.variables(variables);
    }
    if let Some(extensions) = params.extensions.filter(|e| !e.is_empty()) {
        request.extensions = serde_json::from_str(&extensions)
            .map_err(|err| format!("`extensions` is not a JSON object: {err}"))?;
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn uri(query: &str) -> axum::http::Uri {
        format!("/graphql?{query}").parse().unwrap_or_default()
    }

    #[test]
    fn reads_both_spellings_of_the_operation_name() {
        for spelling in ["operationName", "operation_name"] {
            let request = parse(&uri(&format!("query=%7Ba%7D&{spelling}=B"))).ok();
            assert_eq!(request.and_then(|r| r.operation_name), Some("B".to_owned()));
        }
        let request = parse(&uri("query=%7Ba%7D&operationName=")).ok();
        assert_eq!(request.map(|r| r.operation_name), Some(None));
    }

    #[test]
    fn refuses_malformed_json() {
        assert!(parse(&uri("query=%7Ba%7D&variables=%7Bx")).is_err());
        assert!(parse(&uri("query=%7Ba%7D&extensions=42")).is_err());
        let request = parse(&uri("query=%7Ba%7D&variables=%7B%22n%22%3A1%7D")).ok();
        assert_eq!(
            request.map(|r| r.variables.get("n").cloned()),
            Some(Some(async_graphql::Value::from(1)))
        );
    }
}
