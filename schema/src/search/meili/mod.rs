//! The Meilisearch engine.
//!
//! Each product is one flat document with primary key `id` (the UUID string): `name`,
//! `description`, `brand`, `brand_key` (lower-cased brand, for filtering), `category_ids`,
//! `category_names`, `skus`, `in_stock`, `attributes` (`name=value`), `created_at` (Unix ms),
//! `popularity`, and for every currency the product is priced in `price_min_<code>`,
//! `price_max_<code>` (minor units) and `price_bucket_<code>` (the price-range facet value of
//! the "from" price), e.g. `price_min_usd`.
//!
//! Choices:
//! - Typo rules, searchable-attribute order and ranking are in [`index_settings`];
//!   `popularity:desc` is the last ranking rule, the tie-break between equal hits.
//! - Totals come from `estimatedTotalHits`, which is exact here (see `run_search`).
//! - Highlights use private-use characters as tags so that the text can be HTML-escaped
//!   afterwards (Meilisearch escapes nothing); those characters are stripped from names and
//!   descriptions when indexing so that they cannot fake a mark. Prefix matches are marked to
//!   the end of the word, like the tantivy engine does.
//! - Facet values of strings are merged case-insensitively by Meilisearch: brands "ACME" and
//!   "Acme" make one BRAND value (spelled as first indexed), consistent with the brand filter.
//! - Rebuilds fill `<uid>__rebuild_<unix ms>` and swap it with the live index atomically.
//! - The SDK's HTTP client has no timeout: every request is bounded by [`REQUEST_TIMEOUT`].

mod query;
mod settings;
mod tasks;

use super::backend::{
    FacetCounts, FacetKind, Highlight, IndexBuild, ProductDocument, SearchBackend, SearchError,
    SearchFilter, SearchHit, SearchRequest, SearchResult, SearchResults, SortKey, price_bucket,
    typos_allowed,
};
use crate::common::money::CurrencyCode;
use futures_util::future::BoxFuture;
use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode};
use meilisearch_sdk::search::{MatchingStrategies, SearchResults as MeiliResults, Selectors};
use meilisearch_sdk::settings::{
    FacetSortValue, FacetingSettings, FilterableAttribute, MinWordSizeForTypos, PaginationSetting,
    Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use query::*;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use settings::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tasks::*;
use uuid::Uuid;

/// Longest wait for one HTTP request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for an indexing task to finish.
const TASK_TIMEOUT: Duration = Duration::from_secs(60);
/// Results Meilisearch counts and pages through: above any catalogue we expect.
const MAX_TOTAL_HITS: usize = 1_000_000;
/// Documents per indexing request.
const UPSERT_CHUNK: usize = 5000;
static CROP: [(&str, Option<usize>); 1] = [("description", Some(20))];
const PRE_MARK: char = '\u{E000}';
const POST_MARK: char = '\u{E001}';

/// A [`SearchBackend`] on a Meilisearch index.
pub struct MeiliBackend {
    client: Client,
    index_uid: String,
}

impl MeiliBackend {
    /// A client for the index `index_uid` at `url` (e.g. `http://127.0.0.1:7700`). Does not
    /// connect: [`SearchBackend::prepare`] does.
    pub fn new(url: &str, api_key: Option<&str>, index_uid: &str) -> Result<Self, SearchError> {
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(SearchError::Engine(format!(
                "Meilisearch URL `{url}` is not http(s)"
            )));
        }
        // At most 350 bytes: room for the rebuild suffix within Meilisearch's 400.
        let uid_chars = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if index_uid.is_empty() || index_uid.len() > 350 || !index_uid.chars().all(uid_chars) {
            return Err(SearchError::Engine(format!(
                "invalid index uid `{index_uid}`"
            )));
        }
        // The SDK panics on a key that is not a valid HTTP header value.
        if api_key.is_some_and(|key| key.chars().any(char::is_control)) {
            return Err(SearchError::Engine(
                "Meilisearch API key has control characters".into(),
            ));
        }
        let client = Client::new(url, api_key).map_err(map_error)?;
        let index_uid = index_uid.to_owned();
        Ok(Self { client, index_uid })
    }

    async fn run_search(&self, request: &SearchRequest) -> SearchResult<SearchResults> {
        let currency = request.currency;
        let filter = filter_expression(&request.filter, currency, request.needs_price());
        let sort = sort_expression(request.sort, request.reverse, currency);
        let sort: Vec<&str> = sort.iter().map(String::as_str).collect();
        let facet_fields: Vec<String> = request
            .facets
            .iter()
            .map(|&kind| facet_field(kind, currency))
            .collect();
        let mut facets: Vec<&str> = facet_fields.iter().map(String::as_str).collect();
        facets.sort_unstable();
        facets.dedup();

        let index = self.client.index(&self.index_uid);
        let mut query = index.search();
        query
            .with_query(&request.text)
            .with_offset(request.offset)
            .with_limit(request.limit)
            .with_matching_strategy(MatchingStrategies::ALL)
            .with_attributes_to_retrieve(Selectors::Some(&["id", "name"]));
        if let Some(filter) = &filter {
            query.with_filter(filter);
        }
        if !sort.is_empty() {
            query.with_sort(&sort);
        }
        if !facets.is_empty() {
            query.with_facets(Selectors::Some(&facets));
        }
        if !request.text.trim().is_empty() {
            query
                .with_attributes_to_highlight(Selectors::Some(&["name", "description"]))
                .with_attributes_to_crop(Selectors::Some(&CROP))
                .with_highlight_pre_tag("\u{E000}")
                .with_highlight_post_tag("\u{E001}");
        }
        let response: MeiliResults<StoredHit> = send(query.execute()).await?;

        // With offset/limit Meilisearch reports `estimatedTotalHits`, which is nevertheless
        // exact for this index: the server resolves the whole candidate set (filter and every
        // query word) before ranking and trims it only for a `distinct` attribute or a
        // ranking-score threshold, neither of which we use; it is capped at `maxTotalHits`,
        // set far above the catalogue. (`page`/`hitsPerPage` gives the same number but cannot
        // express an arbitrary offset.) Checked against Meilisearch 1.50 with deep offsets.
        let total_hits = response.estimated_total_hits.or(response.total_hits);
        let total_hits = total_hits.ok_or_else(|| engine("search answer without a total"))?;
        let hits = response.hits.into_iter().filter_map(|hit| {
            let Ok(product_id) = Uuid::parse_str(&hit.result.id) else {
                tracing::warn!(id = %hit.result.id, "Meilisearch document id is not a UUID");
                return None;
            };
            let formatted = hit.formatted_result.unwrap_or_default();
            let highlights = ["name", "description"].into_iter().filter_map(|field| {
                let snippet = snippet(formatted.get(field)?.as_str()?)?;
                Some(Highlight {
                    field: field.to_owned(),
                    snippet,
                })
            });
            let highlights = highlights.collect();
            Some(SearchHit {
                product_id,
                name: hit.result.name,
                highlights,
            })
        });
        let distribution = response.facet_distribution.unwrap_or_default();
        let facets = request.facets.iter().zip(&facet_fields);
        let facets = facets.map(|(&kind, field)| facet_counts(kind, distribution.get(field)));
        Ok(SearchResults {
            hits: hits.collect(),
            total_hits,
            facets: facets.collect(),
            processing_time_ms: response.processing_time_ms as u64,
        })
    }

    async fn run_suggest(&self, prefix: &str, limit: usize) -> SearchResult<Vec<String>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let index = self.client.index(&self.index_uid);
        let mut query = index.search();
        // Products often share a name: ask for more to fill `limit` distinct names (distinct
        // ignoring ASCII case, as `super::distinct_names` for the tantivy engine).
        query
            .with_query(prefix)
            .with_limit(limit.saturating_mul(2))
            .with_matching_strategy(MatchingStrategies::ALL)
            .with_attributes_to_retrieve(Selectors::Some(&["name"]));
        let response: MeiliResults<NameOnly> = send(query.execute()).await?;
        let mut seen = HashSet::new();
        let names = response.hits.into_iter().map(|hit| hit.result.name);
        Ok(names
            .filter(|name| seen.insert(name.to_ascii_lowercase()))
            .take(limit)
            .collect())
    }
}

impl SearchBackend for MeiliBackend {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    fn prepare(&self) -> BoxFuture<'_, SearchResult<()>> {
        Box::pin(async move {
            ensure_index(&self.client, &self.index_uid).await?;
            apply_settings(&self.client, &self.index_uid).await
        })
    }

    fn document_count(&self) -> BoxFuture<'_, SearchResult<u64>> {
        Box::pin(async move {
            match timed(self.client.index(&self.index_uid).get_stats()).await {
                Ok(stats) => Ok(stats.number_of_documents as u64),
                Err(error) if is_index_not_found(&error) => Ok(0),
                Err(error) => Err(map_error(error)),
            }
        })
    }

    fn apply<'a>(
        &'a self,
        upserts: &'a [ProductDocument],
        deleted: &'a [Uuid],
    ) -> BoxFuture<'a, SearchResult<()>> {
        Box::pin(async move {
            // Enqueued in this order, a product both upserted and deleted ends up deleted.
            let mut tasks = enqueue_upserts(&self.client, &self.index_uid, upserts).await?;
            if !deleted.is_empty() {
                let index = self.client.index(&self.index_uid);
                tasks.push(send(index.delete_documents(deleted)).await?);
            }
            for task in tasks {
                wait(&self.client, task).await?;
            }
            Ok(())
        })
    }

    fn search<'a>(
        &'a self,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, SearchResult<SearchResults>> {
        Box::pin(self.run_search(request))
    }

    fn suggest<'a>(
        &'a self,
        prefix: &'a str,
        limit: usize,
    ) -> BoxFuture<'a, SearchResult<Vec<String>>> {
        Box::pin(self.run_suggest(prefix, limit))
    }

    fn begin_rebuild(&self) -> BoxFuture<'_, SearchResult<Box<dyn IndexBuild>>> {
        Box::pin(async move {
            let now = SystemTime::now().duration_since(UNIX_EPOCH);
            let uid = format!(
                "{}__rebuild_{}",
                self.index_uid,
                now.map_or(0, |d| d.as_millis())
            );
            run_task(&self.client, self.client.create_index(&uid, Some("id"))).await?;
            // From here on, dropping `build` deletes the new index.
            let build = MeiliBuild {
                client: self.client.clone(),
                live_uid: self.index_uid.clone(),
                build_uid: Some(uid.clone()),
            };
            apply_settings(&self.client, &uid).await?;
            Ok(Box::new(build) as Box<dyn IndexBuild>)
        })
    }

    fn health(&self) -> BoxFuture<'_, SearchResult<()>> {
        Box::pin(async move {
            // Readiness probes want an answer sooner than other requests.
            let answer = tokio::time::timeout(HEALTH_TIMEOUT, self.client.health()).await;
            let health = answer
                .unwrap_or(Err(MeiliError::Timeout))
                .map_err(map_error)?;
            match health.status.as_str() {
                "available" => Ok(()),
                status => Err(SearchError::Unavailable(format!("Meilisearch is {status}"))),
            }
        })
    }
}

/// A rebuild into a fresh index. Dropped before [`IndexBuild::finish`] succeeds, it deletes
/// that index (after a swap, the same uid names the old live index: garbage as well).
struct MeiliBuild {
    client: Client,
    live_uid: String,
    /// `None` once nothing is left to clean up.
    build_uid: Option<String>,
}

impl IndexBuild for MeiliBuild {
    fn add<'a>(&'a mut self, documents: &'a [ProductDocument]) -> BoxFuture<'a, SearchResult<()>> {
        Box::pin(async move {
            let uid = self
                .build_uid
                .as_deref()
                .ok_or_else(|| engine("rebuild finished"))?;
            for task in enqueue_upserts(&self.client, uid, documents).await? {
                wait(&self.client, task).await?;
            }
            Ok(())
        })
    }

    fn finish(mut self: Box<Self>) -> BoxFuture<'static, SearchResult<()>> {
        Box::pin(async move {
            let uid = self
                .build_uid
                .clone()
                .ok_or_else(|| engine("rebuild finished"))?;
            let client = &self.client;
            // Swapping needs both indexes to exist.
            ensure_index(client, &self.live_uid).await?;
            let swap = SwapIndexes {
                indexes: (self.live_uid.clone(), uid.clone()),
                rename: None,
            };
            run_task(client, client.swap_indexes([&swap])).await?;
            // `uid` now names the previous live index.
            run_task(client, client.delete_index(&uid)).await?;
            self.build_uid = None;
            Ok(())
        })
    }
}

impl Drop for MeiliBuild {
    fn drop(&mut self) {
        let Some(uid) = self.build_uid.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(index = %uid, "abandoned Meilisearch rebuild index left behind");
            return;
        };
        let client = self.client.clone();
        runtime.spawn(async move {
            if let Err(error) = timed(client.delete_index(&uid)).await {
                tracing::warn!(index = %uid, %error, "could not delete abandoned rebuild index");
            }
        });
    }
}

#[derive(Deserialize)]
struct StoredHit {
    id: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct NameOnly {
    #[serde(default)]
    name: String,
}

#[cfg(test)]
mod tests {
    use super::super::backend::{AttributeFilter, PriceSpan};
    use super::*;

    fn attribute(name: &str, values: &[&str]) -> AttributeFilter {
        let values = values.iter().map(|&value| value.to_owned()).collect();
        AttributeFilter {
            name: name.to_owned(),
            values,
        }
    }

    #[test]
    fn filter_ands_conditions_and_ors_values() {
        let usd = CurrencyCode::Usd;
        assert_eq!(
            filter_expression(&SearchFilter::default(), usd, false),
            None
        );
        let filter = SearchFilter {
            category_ids: vec![Uuid::from_u128(1)],
            brands: vec![" ACME".into(), "Blue \"Sky\"".into()],
            price_min: Some(1000),
            price_max: Some(5000),
            in_stock: Some(true),
            attributes: vec![
                attribute("Color", &["Red", "blue"]),
                attribute("size", &["M"]),
            ],
        };
        let expected = concat!(
            r#"category_ids IN ["00000000-0000-0000-0000-000000000001"] AND "#,
            r#"brand_key IN ["acme", "blue \"sky\""] AND in_stock = true AND "#,
            r#"attributes IN ["color=red", "color=blue"] AND attributes IN ["size=m"] AND "#,
            "price_min_eur EXISTS AND price_min_eur >= 1000 AND price_min_eur <= 5000",
        );
        assert_eq!(
            filter_expression(&filter, CurrencyCode::Eur, true).as_deref(),
            Some(expected)
        );
        let other = SearchFilter {
            in_stock: Some(false),
            attributes: vec![attribute("color", &[])],
            ..SearchFilter::default()
        };
        let expected = "in_stock = false AND attributes IN [] AND price_min_jpy EXISTS";
        assert_eq!(
            filter_expression(&other, CurrencyCode::Jpy, true).as_deref(),
            Some(expected)
        );
    }

    #[test]
    fn filter_values_escape_quotes_and_backslashes() {
        assert_eq!(quote("plain"), r#""plain""#);
        assert_eq!(quote(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(quote(r"back\slash"), r#""back\\slash""#);
        assert_eq!(quote(r#"\""#), r#""\\\"""#);
        assert_eq!(
            quote("x\" OR brand EXISTS OR \""),
            r#""x\" OR brand EXISTS OR \"""#
        );
    }

    #[test]
    fn sorts_by_price_or_creation() {
        let (usd, gbp) = (CurrencyCode::Usd, CurrencyCode::Gbp);
        assert_eq!(sort_expression(SortKey::Relevance, true, usd), None);
        assert_eq!(
            sort_expression(SortKey::Price, false, gbp).as_deref(),
            Some("price_min_gbp:asc")
        );
        assert_eq!(
            sort_expression(SortKey::Created, true, usd).as_deref(),
            Some("created_at:desc")
        );
    }

    #[test]
    fn snippets_escape_html_but_keep_marks() {
        assert_eq!(snippet("no match <b>"), None);
        let formatted = "Tom & Jerry's \u{E000}<cotton>\u{E001} \"tee\"";
        let expected = "Tom &amp; Jerry&#39;s <mark>&lt;cotton&gt;</mark> &quot;tee&quot;";
        assert_eq!(snippet(formatted).as_deref(), Some(expected));
        let prefix = "\u{E000}Cot\u{E001}ton \u{E000}T\u{E001}-\u{E000}Shi\u{E001}rt";
        let expected = "<mark>Cotton</mark> <mark>T</mark>-<mark>Shirt</mark>";
        assert_eq!(snippet(prefix).as_deref(), Some(expected));
    }

    #[test]
    fn facet_values_by_count_then_value() {
        let counts = [("b", 2), ("a", 2), ("c", 5), ("z", 0)];
        let distribution = counts.map(|(value, n)| (value.to_owned(), n)).into();
        let counts = facet_counts(FacetKind::Brand, Some(&distribution));
        assert_eq!(
            counts.values,
            vec![("c".into(), 5), ("a".into(), 2), ("b".into(), 2)]
        );
        assert!(facet_counts(FacetKind::InStock, None).values.is_empty());
    }

    #[test]
    fn documents_are_flat_with_per_currency_prices() {
        let span = |currency, min, max| PriceSpan { currency, min, max };
        let (usd, jpy) = (CurrencyCode::Usd, CurrencyCode::Jpy);
        let product = ProductDocument {
            id: Uuid::from_u128(7),
            name: "Cotton \u{E000}shirt".into(),
            description: "Soft".into(),
            brand: Some("ACME".into()),
            category_ids: vec![Uuid::from_u128(1)],
            category_names: vec!["Shirts".into()],
            skus: vec!["SKU-1".into()],
            prices: vec![
                span(usd, 1999, 2999),
                span(usd, 1, 1),
                span(jpy, 3000, 3000),
            ],
            in_stock: true,
            attributes: vec!["color=red".into()],
            created_at: 1_700_000_000_000,
            popularity: 3,
        };
        let document = document_json(&product);
        assert_eq!(document["id"], "00000000-0000-0000-0000-000000000007");
        assert_eq!(document["name"], "Cotton shirt");
        assert_eq!(document["brand_key"], "acme");
        assert_eq!(
            document["category_ids"],
            json!(["00000000-0000-0000-0000-000000000001"])
        );
        assert_eq!(
            (&document["price_min_usd"], &document["price_max_usd"]),
            (&json!(1999), &json!(2999))
        );
        assert_eq!(document["price_bucket_usd"], "10-25");
        assert_eq!(document["price_bucket_jpy"], "2500-5000");
        assert!(document.get("price_min_eur").is_none());
        let unbranded = document_json(&ProductDocument {
            brand: None,
            ..product
        });
        assert_eq!(unbranded["brand_key"], Value::Null);
    }

    #[test]
    fn settings_follow_the_shared_typo_rule() {
        let settings = index_settings();
        let sizes = settings
            .typo_tolerance
            .and_then(|typos| typos.min_word_size_for_typos);
        assert_eq!(
            sizes,
            Some(MinWordSizeForTypos {
                one_typo: Some(5),
                two_typos: Some(9)
            })
        );
        assert!(
            settings
                .sortable_attributes
                .unwrap_or_default()
                .contains(&"price_min_pln".into())
        );
    }
}
