//! Shopify's product search syntax, as storefronts send it in `products(query:)`: free text
//! and `field:value` terms (`title:`, `tag:`, `product_type:`, `vendor:`,
//! `available_for_sale:`), values optionally quoted, terms joined by spaces or `AND`. Mapped
//! onto shopgraph's search request: text words and `title:` values are searched as text;
//! the others become filters. `OR` and negation are not supported: they are refused with a
//! clear message rather than read as words.

use crate::search::backend::{
    AttributeFilter, PRODUCT_TYPE_ATTRIBUTE, SearchFilter, TAG_ATTRIBUTE,
};

/// A parsed query: the words to search for and the filters.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ShopifyQuery {
    pub text: String,
    pub filter: SearchFilter,
}

impl ShopifyQuery {
    /// Nothing asked for: the plain listing answers it.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.filter == SearchFilter::default()
    }
}

/// Parses `query`; `Err` names what is not understood.
pub fn parse(query: &str) -> Result<ShopifyQuery, String> {
    let mut words: Vec<String> = Vec::new();
    let mut filter = SearchFilter::default();
    let mut tags = Vec::new();
    let mut product_types = Vec::new();
    for term in terms(query)? {
        let Term { field, value } = term;
        match field.as_deref() {
            None if value == "AND" => {}
            None if value == "OR" || value == "NOT" => {
                return Err(format!("`{value}` is not supported in product queries"));
            }
            None if value.starts_with('-') => {
                return Err("negated terms are not supported in product queries".into());
            }
            None | Some("title") => words.push(value),
            Some("tag") => tags.push(value),
            Some("product_type") => product_types.push(value),
            Some("vendor") => filter.brands.push(value),
            Some("available_for_sale") => {
                filter.in_stock = Some(match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err("`available_for_sale:` takes true or false".into()),
                });
            }
            Some(other) => {
                return Err(format!(
                    "`{other}:` is not a supported product query field (title, tag, \
                     product_type, vendor, available_for_sale)"
                ));
            }
        }
    }
    // Every term must hold, as in Shopify, so each tag is a filter of its own (a filter's
    // values are alternatives). A product has one vendor and one type, so several
    // `vendor:` or `product_type:` values are read as alternatives rather than as a
    // condition nothing could meet.
    for tag in tags {
        filter.attributes.push(AttributeFilter {
            name: TAG_ATTRIBUTE.to_owned(),
            values: vec![tag],
        });
    }
    if !product_types.is_empty() {
        filter.attributes.push(AttributeFilter {
            name: PRODUCT_TYPE_ATTRIBUTE.to_owned(),
            values: product_types,
        });
    }
    Ok(ShopifyQuery {
        text: words.join(" "),
        filter,
    })
}

struct Term {
    field: Option<String>,
    value: String,
}

/// Splits the query into terms: `field:value`, `field:"quoted value"`, `"quoted words"`
/// or a bare word.
fn terms(query: &str) -> Result<Vec<Term>, String> {
    let mut out = Vec::new();
    let mut chars = query.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut field = None;
        let mut value = String::new();
        loop {
            match chars.peek().copied() {
                None => break,
                Some(c) if c.is_whitespace() => break,
                Some('"') => {
                    chars.next();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '"' {
                            closed = true;
                            break;
                        }
                        value.push(c);
                    }
                    if !closed {
                        return Err("a quoted value is not closed".into());
                    }
                }
                Some(':') if field.is_none() && !value.is_empty() => {
                    chars.next();
                    field = Some(std::mem::take(&mut value).to_ascii_lowercase());
                }
                Some(c) => {
                    chars.next();
                    value.push(c);
                }
            }
        }
        if field.is_some() && value.is_empty() {
            return Err("a query field has no value".into());
        }
        out.push(Term { field, value });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn words_and_fields_become_text_and_filters() {
        let parsed = parse(
            r#"trail shoe title:runner tag:sale vendor:"Acme Outdoor" available_for_sale:true"#,
        )
        .unwrap();
        assert_eq!(parsed.text, "trail shoe runner");
        assert_eq!(parsed.filter.brands, ["Acme Outdoor"]);
        assert_eq!(parsed.filter.in_stock, Some(true));
        assert_eq!(parsed.filter.attributes.len(), 1);
        assert_eq!(parsed.filter.attributes[0].name, TAG_ATTRIBUTE);
        assert_eq!(parsed.filter.attributes[0].values, ["sale"]);
    }

    #[test]
    fn two_tags_must_both_hold_and_and_is_a_joiner() {
        let parsed = parse("tag:a AND tag:b product_type:Shoes").unwrap();
        assert!(parsed.text.is_empty());
        let names: Vec<&str> = parsed
            .filter
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(
            names,
            [TAG_ATTRIBUTE, TAG_ATTRIBUTE, PRODUCT_TYPE_ATTRIBUTE]
        );
    }

    #[test]
    fn an_empty_query_is_empty_and_unsupported_syntax_is_refused() {
        assert!(parse("   ").unwrap().is_empty());
        for bad in [
            "a OR b",
            "-shoe",
            "price:>10",
            "tag:",
            "\"open",
            "available_for_sale:maybe",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
