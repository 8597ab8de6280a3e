//! Requests in Meilisearch's terms (filter and sort expressions, facet fields) and its
//! answers in ours (facet counts, highlight snippets).

use super::*;

/// A filter string value: double-quoted, with `\` and `"` escaped.
pub(super) fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

pub(super) fn any_of(field: &str, values: impl IntoIterator<Item = String>) -> String {
    let values: Vec<String> = values.into_iter().map(|value| quote(&value)).collect();
    format!("{field} IN [{}]", values.join(", "))
}

/// The Meilisearch filter for `filter`, or `None` when nothing is filtered. As in the tantivy
/// engine, empty category and brand lists filter nothing while an attribute filter without
/// values matches nothing.
pub(super) fn filter_expression(
    filter: &SearchFilter,
    currency: CurrencyCode,
    needs_price: bool,
) -> Option<String> {
    let mut conditions = Vec::new();
    if !filter.category_ids.is_empty() {
        conditions.push(any_of(
            "category_ids",
            filter.category_ids.iter().map(Uuid::to_string),
        ));
    }
    if !filter.brands.is_empty() {
        let keys = filter
            .brands
            .iter()
            .map(|brand| brand.trim().to_lowercase());
        conditions.push(any_of("brand_key", keys));
    }
    if let Some(in_stock) = filter.in_stock {
        conditions.push(format!("in_stock = {in_stock}"));
    }
    for attribute in &filter.attributes {
        conditions.push(any_of("attributes", attribute.keys()));
    }
    let price = price_field("price_min", currency);
    if needs_price {
        conditions.push(format!("{price} EXISTS"));
    }
    if let Some(min) = filter.price_min {
        conditions.push(format!("{price} >= {min}"));
    }
    if let Some(max) = filter.price_max {
        conditions.push(format!("{price} <= {max}"));
    }
    (!conditions.is_empty()).then(|| conditions.join(" AND "))
}

pub(super) fn sort_expression(
    sort: SortKey,
    reverse: bool,
    currency: CurrencyCode,
) -> Option<String> {
    let field = match sort {
        SortKey::Relevance => return None,
        SortKey::Price => price_field("price_min", currency),
        SortKey::Created => "created_at".to_owned(),
    };
    Some(format!("{field}:{}", if reverse { "desc" } else { "asc" }))
}

pub(super) fn facet_field(kind: FacetKind, currency: CurrencyCode) -> String {
    match kind {
        FacetKind::Category => "category_ids".to_owned(),
        FacetKind::Brand => "brand".to_owned(),
        FacetKind::PriceRange => price_field("price_bucket", currency),
        FacetKind::InStock => "in_stock".to_owned(),
    }
}

/// Most frequent first, ties by value; no zero counts.
pub(super) fn facet_counts(
    kind: FacetKind,
    distribution: Option<&HashMap<String, usize>>,
) -> FacetCounts {
    let counts = distribution
        .into_iter()
        .flatten()
        .filter(|&(_, &count)| count > 0);
    let mut values: Vec<(String, usize)> = counts.map(|(value, &n)| (value.clone(), n)).collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    FacetCounts { kind, values }
}

/// The HTML snippet of a field Meilisearch formatted with our placeholder tags, or `None`
/// when nothing in it matched. Meilisearch marks only the typed part of a prefix match
/// (`<mark>cot</mark>ton`): marks are extended to the end of the word, as the tantivy
/// engine marks whole words.
pub(super) fn snippet(formatted: &str) -> Option<String> {
    if !formatted.contains(PRE_MARK) {
        return None;
    }
    let mut html = String::with_capacity(formatted.len() + 32);
    let mut closing = false;
    for c in formatted.chars() {
        if closing && !c.is_alphanumeric() {
            html.push_str("</mark>");
            closing = false;
        }
        match c {
            PRE_MARK => html.push_str("<mark>"),
            POST_MARK => closing = true,
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
    if closing {
        html.push_str("</mark>");
    }
    Some(html)
}
