//! The index settings and the document shape.

use super::*;

/// The settings of the live index and of rebuilds.
pub(super) fn index_settings() -> Settings {
    let filterable = words("category_ids brand_key brand in_stock attributes");
    let mut filterable: Vec<FilterableAttribute> = filterable.into_iter().map(Into::into).collect();
    let mut sortable = words("created_at popularity");
    for currency in CurrencyCode::ALL {
        filterable.push(price_field("price_min", currency).into());
        filterable.push(price_field("price_bucket", currency).into());
        sortable.push(price_field("price_min", currency));
    }
    // The word lengths from which `typos_allowed` grants one and two typos (5 and 9).
    let min_size = |typos| (1..=u8::MAX).find(|&n| typos_allowed(&"x".repeat(n.into())) >= typos);
    let typo_tolerance = TypoToleranceSettings {
        enabled: Some(true),
        disable_on_attributes: Some(Vec::new()),
        disable_on_words: Some(Vec::new()),
        min_word_size_for_typos: Some(MinWordSizeForTypos {
            one_typo: min_size(1),
            two_typos: min_size(2),
        }),
        disable_on_numbers: None,
    };
    // By count, so that a facet with more values than the cap keeps its most frequent.
    let faceting = FacetingSettings {
        max_values_per_facet: 1000,
        sort_facet_values_by: Some(BTreeMap::from([("*".to_owned(), FacetSortValue::Count)])),
    };
    Settings {
        searchable_attributes: Some(words("name brand category_names skus description")),
        filterable_attributes: Some(filterable),
        sortable_attributes: Some(sortable),
        ranking_rules: Some(words(
            "words typo proximity attribute sort exactness popularity:desc",
        )),
        typo_tolerance: Some(typo_tolerance),
        faceting: Some(faceting),
        pagination: Some(PaginationSetting {
            max_total_hits: MAX_TOTAL_HITS,
        }),
        ..Settings::new()
    }
}

pub(super) fn words(list: &str) -> Vec<String> {
    list.split_whitespace().map(String::from).collect()
}

/// `price_min_usd` and the like.
pub(super) fn price_field(prefix: &str, currency: CurrencyCode) -> String {
    format!("{prefix}_{}", currency.as_str().to_ascii_lowercase())
}

/// The document stored for a product (see the module docs).
pub(super) fn document_json(product: &ProductDocument) -> Value {
    let unmarked = |text: &str| text.replace([PRE_MARK, POST_MARK], "");
    let category_ids: Vec<String> = product.category_ids.iter().map(Uuid::to_string).collect();
    let mut document = json!({
        "id": product.id.to_string(),
        "name": unmarked(&product.name),
        "description": unmarked(&product.description),
        "brand": product.brand,
        "brand_key": product.brand.as_deref().map(str::to_lowercase),
        "category_ids": category_ids,
        "category_names": product.category_names,
        "skus": product.skus,
        "in_stock": product.in_stock,
        "attributes": product.attributes,
        "created_at": product.created_at,
        "popularity": product.popularity,
    });
    let mut prices = Map::new();
    // The first span of a currency wins, as in `ProductDocument::price_in`.
    for span in product.prices.iter().rev() {
        let bucket = price_bucket(span.min, span.currency);
        prices.insert(price_field("price_min", span.currency), json!(span.min));
        prices.insert(price_field("price_max", span.currency), json!(span.max));
        prices.insert(price_field("price_bucket", span.currency), json!(bucket));
    }
    if let Value::Object(fields) = &mut document {
        fields.extend(prices);
    }
    document
}
