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
//! - documents whose cost grows faster than their length: more than [`text::MAX_TOKENS`]
//!   tokens, nesting deeper than [`text::MAX_NESTING`], more than [`text::MAX_DIRECTIVES`]
//!   directives (all measured on the text, before it is parsed), and fragment cycles or more
//!   than [`expansion::MAX_EXPANDED`] selections once fragments are expanded (measured on the
//!   parsed document, before validation walks it).
//!
//! All are refused with `BAD_USER_INPUT`. `crate::guarded` applies the checks to every
//! request: the request before anything else, the document after a persisted-query hash was
//! resolved, so documents sent by hash are checked too. Each check is linear in the size of
//! the request, so a hostile document of any shape costs about as much as reading it.

pub mod expansion;
#[cfg(test)]
mod properties;
mod scan;
#[cfg(test)]
mod tests;
pub mod text;

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

/// Refuses a query text whose token count, nesting or directive count passes its limit,
/// before it is parsed.
pub(crate) fn check_text(query: &str) -> ServerResult<text::TextShape> {
    text::measure(query).map_err(|refusal| {
        bad_input(match refusal {
            text::TextRefusal::TooManyTokens => format!(
                "the document has more than {} tokens; split it into smaller requests",
                text::MAX_TOKENS
            ),
            text::TextRefusal::TooDeep => format!(
                "the document nests braces, brackets or parentheses more than {} deep",
                text::MAX_NESTING
            ),
            text::TextRefusal::TooManyDirectives => format!(
                "the document has more than {} directives",
                text::MAX_DIRECTIVES
            ),
        })
    })
}

/// Refuses a parsed document with NUL characters in string literals, an alias flood, a
/// fragment cycle or too large an expansion.
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
    expansion::check(document).map_err(|refusal| {
        bad_input(match refusal {
            expansion::ExpansionRefusal::Cycle(name) => {
                format!("the fragment `{name}` spreads itself (directly or through others)")
            }
            expansion::ExpansionRefusal::TooLarge => format!(
                "the document expands to more than {} selections once its fragments are spread",
                expansion::MAX_EXPANDED
            ),
        })
    })?;
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
