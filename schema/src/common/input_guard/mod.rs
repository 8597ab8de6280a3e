//! A first line of defence against request shapes no honest client sends, checked before
//! any resolver runs:
//!
//! - a NUL character anywhere in the request (query text, operation name, variables,
//!   extensions). No field accepts one, and PostgreSQL refuses NUL in text, so a NUL that
//!   slipped past a service's own checks would become an internal error. The services check
//!   their fields too (`common::text`); this guard covers every argument, including ones a
//!   future resolver forgets to check.
//! - more than [`MAX_ALIASES`] aliased fields in one document. Aliases let one request run a
//!   field thousands of times (a flood of cheap reads the complexity budget barely notices,
//!   or of password guesses); honest documents use a few.
//!
//! Both are refused with `BAD_USER_INPUT`. `crate::guarded` applies the checks to every
//! request: the request before anything else, the document after a persisted-query hash was
//! resolved, so documents sent by hash are checked too.

mod scan;
#[cfg(test)]
mod tests;

use crate::common::text::has_nul;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerError, ServerResult, Value};
use scan::Scan;

/// Most aliased fields one document may contain.
pub const MAX_ALIASES: usize = 500;

/// Refuses a request holding a NUL character anywhere (checked before anything else).
pub(crate) fn check_request(request: &Request) -> ServerResult<()> {
    match nul_in_request(request) {
        Some(place) => Err(bad_input(format!(
            "the request contains a NUL character (\\u0000) in {place}; no field accepts one"
        ))),
        None => Ok(()),
    }
}

/// Refuses a parsed document with NUL characters in string literals or an alias flood.
pub(crate) fn check_document(document: &ExecutableDocument) -> ServerResult<()> {
    let scan = Scan::document(document);
    if scan.nul {
        // Written as the escape `\u0000` in a string literal, so not seen in the text.
        return Err(bad_input(
            "the query contains a NUL character (\\u0000) in a string; no field accepts one".into(),
        ));
    }
    if scan.aliases > MAX_ALIASES {
        return Err(bad_input(format!(
            "the document has {} aliased fields; at most {MAX_ALIASES} are allowed",
            scan.aliases
        )));
    }
    Ok(())
}

fn bad_input(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", Value::from("BAD_USER_INPUT"));
    error
}

/// Where the request holds a NUL, if anywhere.
fn nul_in_request(request: &Request) -> Option<&'static str> {
    if has_nul(&request.query) {
        return Some("the query");
    }
    if request.operation_name.as_deref().is_some_and(has_nul) {
        return Some("the operation name");
    }
    if request
        .variables
        .iter()
        .any(|(name, value)| has_nul(name) || value_has_nul(value))
    {
        return Some("the variables");
    }
    if request
        .extensions
        .0
        .iter()
        .any(|(name, value)| has_nul(name) || value_has_nul(value))
    {
        return Some("the extensions");
    }
    None
}

fn value_has_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => has_nul(text),
        Value::Enum(name) => has_nul(name),
        Value::List(items) => items.iter().any(value_has_nul),
        Value::Object(fields) => fields
            .iter()
            .any(|(name, value)| has_nul(name) || value_has_nul(value)),
        Value::Null | Value::Number(_) | Value::Boolean(_) | Value::Binary(_) => false,
    }
}
