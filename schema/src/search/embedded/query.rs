//! A `SearchRequest` as a tantivy query.
//!
//! Text: every query word must match (in any searchable field); a word matches a field's
//! word exactly, with the typo budget of `typos_allowed` (a transposition counts as one
//! typo), and the last word also as a prefix, since people search as they type. Exact
//! matches and name matches score higher. Filters match without scoring.

use super::fields::{Fields, analyzer};
use crate::search::backend::{SearchRequest, typos_allowed};
use std::ops::Bound;
use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

/// Query words as the index sees them (lower-cased, accents folded).
pub fn words(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while stream.advance() {
        words.push(stream.token().text.clone());
    }
    words
}

pub fn build(fields: &Fields, request: &SearchRequest) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let words = words(&request.text);
    let last = words.len().saturating_sub(1);
    for (i, word) in words.iter().enumerate() {
        clauses.push((Occur::Must, word_query(fields, word, i == last)));
    }
    for filter in filters(fields, request) {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    if words.is_empty() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// One query word against every searchable field.
fn word_query(fields: &Fields, word: &str, is_last: bool) -> Box<dyn Query> {
    let typos = typos_allowed(word);
    let mut options: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (field, weight) in fields.weighted_text() {
        let term = Term::from_field_text(field, word);
        let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
        options.push((Occur::Should, boosted(Box::new(exact), weight * 2.0)));
        if typos > 0 {
            let fuzzy = FuzzyTermQuery::new(term.clone(), typos, true);
            options.push((Occur::Should, boosted(Box::new(fuzzy), weight)));
        }
        if is_last {
            let prefix = FuzzyTermQuery::new_prefix(term, typos, true);
            options.push((Occur::Should, boosted(Box::new(prefix), weight * 0.5)));
        }
    }
    Box::new(BooleanQuery::new(options))
}

fn boosted(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, weight))
}

fn filters(fields: &Fields, request: &SearchRequest) -> Vec<Box<dyn Query>> {
    let filter = &request.filter;
    let mut queries: Vec<Box<dyn Query>> = Vec::new();
    if !filter.category_ids.is_empty() {
        let ids = filter.category_ids.iter().map(|id| id.to_string());
        queries.push(any_of(fields.category_ids, ids));
    }
    if !filter.brands.is_empty() {
        let brands = filter.brands.iter().map(|b| b.trim().to_lowercase());
        queries.push(any_of(fields.brand_key, brands));
    }
    if let Some(in_stock) = filter.in_stock {
        let value = if in_stock { "true" } else { "false" };
        queries.push(any_of(fields.in_stock, [value.to_owned()]));
    }
    for attribute in &filter.attributes {
        queries.push(any_of(fields.attributes, attribute.keys()));
    }
    if request.needs_price() {
        match fields.price_min(request.currency) {
            Some(field) => {
                let min = filter.price_min.unwrap_or(i64::MIN);
                let max = filter.price_max.unwrap_or(i64::MAX);
                queries.push(Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_i64(field, min)),
                    Bound::Included(Term::from_field_i64(field, max)),
                )));
            }
            None => queries.push(Box::new(tantivy::query::EmptyQuery)),
        }
    }
    queries
}

fn any_of(field: Field, values: impl IntoIterator<Item = String>) -> Box<dyn Query> {
    let terms = values
        .into_iter()
        .map(|value| Term::from_field_text(field, &value));
    Box::new(TermSetQuery::new(terms))
}
