//! The search contract: what every engine must do, checked through the GraphQL API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::Engine;
use super::fixture::{Catalog, facet, names};
use crate::search_contract;
use e2e::{Backend, VariantId};
use serde_json::json;
use std::collections::HashMap;

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

fn counts(pairs: &[(&str, i64)]) -> HashMap<String, i64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

const STOCK_ADJUST: &str = "mutation($v: ID!, $w: ID!, $d: Int!) { stockAdjust(variantId: $v, warehouseId: $w, delta: $d, reason: \"count\") { userErrors { message } } }";
const PRODUCT_UPDATE: &str = "mutation($id: ID!, $input: ProductUpdateInput!) { productUpdate(id: $id, input: $input) { userErrors { message } } }";

/// Renames the socks to "Bamboo Socks" and waits until search finds them by the new name.
async fn rename_the_socks(catalog: &Catalog) -> anyhow::Result<()> {
    catalog
        .staff(
            PRODUCT_UPDATE,
            json!({ "id": catalog.products["Cotton Socks"], "input": { "name": "Bamboo Socks" } }),
        )
        .await?;
    catalog
        .wait_for(json!({ "query": "bamboo" }), |r| r["totalHits"] == 1)
        .await?;
    Ok(())
}

async fn text_search_tolerates_typos_and_highlights(
    engine: Engine,
    backend: Backend,
) -> anyhow::Result<()> {
    let catalog = Catalog::create(&engine, backend).await?;

    let cotton = catalog.search(json!({ "query": "cotten" })).await?;
    assert_eq!(
        sorted(names(&cotton)),
        ["Cotton Socks", "Organic Cotton Shirt"],
        "one typo in a 6-letter word; the draft stays hidden: {cotton}"
    );
    assert_eq!(cotton["totalHits"], 2);
    let shirt_hit = cotton["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["product"]["name"] == "Organic Cotton Shirt")
        .unwrap();
    let name_highlight = shirt_hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["field"] == "name")
        .unwrap();
    assert_eq!(
        name_highlight["snippet"],
        "Organic <mark>Cotton</mark> Shirt"
    );

    let shirts = catalog.search(json!({ "query": "shrit" })).await?;
    assert_eq!(
        sorted(names(&shirts)),
        ["Linen Shirt", "Organic Cotton Shirt"],
        "a swap of two letters is one typo: {shirts}"
    );

    // Search as you type: the last word is a prefix.
    let jacket = catalog.search(json!({ "query": "rain jack" })).await?;
    assert_eq!(names(&jacket), ["Rain Jacket"]);

    // Every word must match.
    let none = catalog.search(json!({ "query": "linen socks" })).await?;
    assert_eq!(none["totalHits"], 0, "{none}");
    assert_eq!(none["hits"], json!([]));

    // Descriptions and brands are searched; description highlights are HTML-escaped.
    let waterproof = catalog.search(json!({ "query": "waterproof" })).await?;
    assert_eq!(names(&waterproof), ["Rain Jacket"]);
    let snippet = waterproof["hits"][0]["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["field"] == "description")
        .unwrap()["snippet"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(snippet.contains("<mark>Waterproof</mark>"), "{snippet}");
    assert!(
        snippet.contains("&lt;hood&gt;") && !snippet.contains("<hood>"),
        "{snippet}"
    );
    let tidewater = catalog.search(json!({ "query": "tidewater" })).await?;
    assert_eq!(names(&tidewater), ["Wool Sweater"]);
    // Category names are searchable text too.
    let jackets = catalog.search(json!({ "query": "jackets" })).await?;
    assert_eq!(names(&jackets), ["Rain Jacket"]);
    Ok(())
}
search_contract!(text_search_tolerates_typos_and_highlights);

async fn filters_combine_with_text_and_facets_count_the_filtered_result(
    engine: Engine,
    backend: Backend,
) -> anyhow::Result<()> {
    let catalog = Catalog::create(&engine, backend).await?;
    let cat = |name: &str| catalog.categories[name].clone();

    let acme_shirts = catalog
        .search(json!({ "query": "shirt", "filter": { "brands": ["acme"] } }))
        .await?;
    assert_eq!(
        names(&acme_shirts),
        ["Organic Cotton Shirt"],
        "brand filter is case-insensitive"
    );

    let apparel = catalog
        .search(json!({ "filter": { "categoryIds": [cat("Apparel")] } }))
        .await?;
    assert_eq!(
        apparel["totalHits"], 5,
        "a parent category includes its subcategories"
    );
    let shirts = catalog
        .search(json!({ "filter": { "categoryIds": [cat("Shirts"), cat("Socks")] } }))
        .await?;
    assert_eq!(shirts["totalHits"], 3, "categories are ORed");

    let everything = json!(["CATEGORY", "BRAND", "PRICE_RANGE", "IN_STOCK"]);
    let in_stock = catalog
        .search(json!({ "filter": { "inStock": true }, "facets": everything, "first": 2 }))
        .await?;
    assert_eq!(
        in_stock["totalHits"], 4,
        "the jacket has no stock: {in_stock}"
    );
    assert_eq!(
        names(&in_stock).len(),
        2,
        "facets count every page, hits are one page"
    );
    assert_eq!(
        facet(&in_stock, "BRAND"),
        counts(&[("Acme", 2), ("Northwind", 1), ("Tidewater", 1)])
    );
    let expected_categories: HashMap<String, i64> =
        [(cat("Apparel"), 4), (cat("Shirts"), 2), (cat("Socks"), 1)]
            .into_iter()
            .collect();
    assert_eq!(facet(&in_stock, "CATEGORY"), expected_categories);
    let shirts_label = in_stock["facets"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == cat("Shirts"))
        .unwrap()["label"]
        .clone();
    assert_eq!(shirts_label, "Shirts");
    assert_eq!(facet(&in_stock, "IN_STOCK"), counts(&[("true", 4)]));
    assert_eq!(
        facet(&in_stock, "PRICE_RANGE"),
        counts(&[("0-10", 1), ("25-50", 2), ("50-100", 1)])
    );
    // Facets come in the order asked, most frequent value first.
    let facet_names: Vec<_> = in_stock["facets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        facet_names,
        ["CATEGORY", "BRAND", "PRICE_RANGE", "IN_STOCK"]
    );
    assert_eq!(in_stock["facets"][1]["values"][0]["value"], "Acme");

    // Text and filters together, facets over that result.
    let cotton_in_stock = catalog
        .search(
            json!({ "query": "cotton", "filter": { "inStock": true, "brands": ["Acme"] },
                        "facets": ["CATEGORY"] }),
        )
        .await?;
    assert_eq!(cotton_in_stock["totalHits"], 2);
    assert_eq!(
        facet(&cotton_in_stock, "CATEGORY"),
        [(cat("Apparel"), 2), (cat("Shirts"), 1), (cat("Socks"), 1)]
            .into_iter()
            .collect::<HashMap<_, _>>()
    );

    // Attributes: values of one filter are ORed, filters are ANDed.
    let cotton = catalog
        .search(json!({ "filter": { "attributes": [{ "name": "material", "values": ["COTTON", "wool"] }] } }))
        .await?;
    assert_eq!(
        sorted(names(&cotton)),
        ["Cotton Socks", "Organic Cotton Shirt", "Wool Sweater"]
    );
    let white_cotton = catalog
        .search(json!({ "filter": { "attributes": [
            { "name": "Material", "values": ["Cotton"] }, { "name": "Color", "values": ["White"] }] } }))
        .await?;
    assert_eq!(names(&white_cotton), ["Organic Cotton Shirt"]);

    // Prices: bounds are inclusive, in the search currency; unpriced products are left out.
    let usd = catalog
        .search(json!({ "filter": { "priceMin": "25", "priceMax": "40" } }))
        .await?;
    assert_eq!(sorted(names(&usd)), ["Linen Shirt", "Organic Cotton Shirt"]);
    let eur = catalog
        .search(
            json!({ "filter": { "priceMin": "40" }, "currency": "EUR", "facets": ["PRICE_RANGE"] }),
        )
        .await?;
    assert_eq!(
        sorted(names(&eur)),
        ["Linen Shirt", "Rain Jacket", "Wool Sweater"]
    );
    assert_eq!(
        facet(&eur, "PRICE_RANGE"),
        counts(&[("25-50", 1), ("50-100", 1), ("100-250", 1)])
    );
    Ok(())
}
search_contract!(filters_combine_with_text_and_facets_count_the_filtered_result);

async fn sorts_by_price_in_each_currency_and_by_creation(
    engine: Engine,
    backend: Backend,
) -> anyhow::Result<()> {
    let catalog = Catalog::create(&engine, backend).await?;
    let usd = catalog.search(json!({ "sortKey": "PRICE" })).await?;
    assert_eq!(
        names(&usd),
        [
            "Cotton Socks",
            "Organic Cotton Shirt",
            "Linen Shirt",
            "Wool Sweater",
            "Rain Jacket"
        ]
    );
    let dearest = catalog
        .search(json!({ "sortKey": "PRICE", "reverse": true, "first": 2 }))
        .await?;
    assert_eq!(names(&dearest), ["Rain Jacket", "Wool Sweater"]);
    assert_eq!(dearest["totalHits"], 5);
    // EUR orders differently (the linen shirt costs more than in USD) and has no socks.
    let eur = catalog
        .search(json!({ "sortKey": "PRICE", "currency": "EUR" }))
        .await?;
    assert_eq!(
        names(&eur),
        [
            "Organic Cotton Shirt",
            "Linen Shirt",
            "Wool Sweater",
            "Rain Jacket"
        ]
    );
    assert_eq!(eur["totalHits"], 4);
    let page = catalog
        .search(json!({ "sortKey": "PRICE", "first": 2, "offset": 2 }))
        .await?;
    assert_eq!(names(&page), ["Linen Shirt", "Wool Sweater"]);
    let newest = catalog
        .search(json!({ "sortKey": "CREATED", "reverse": true }))
        .await?;
    assert_eq!(
        names(&newest),
        [
            "Wool Sweater",
            "Rain Jacket",
            "Cotton Socks",
            "Linen Shirt",
            "Organic Cotton Shirt"
        ]
    );
    Ok(())
}
search_contract!(sorts_by_price_in_each_currency_and_by_creation);

async fn stock_and_catalog_changes_reach_the_index(
    engine: Engine,
    backend: Backend,
) -> anyhow::Result<()> {
    let catalog = Catalog::create(&engine, backend).await?;
    let sold_out = json!({ "filter": { "inStock": false } });

    // The sweater sells out: the in-stock filter flips.
    catalog
        .staff(
            STOCK_ADJUST,
            json!({ "v": catalog.variants["Wool Sweater"], "w": catalog.warehouse, "d": -2 }),
        )
        .await?;
    let result = catalog
        .wait_for(sold_out.clone(), |r| r["totalHits"] == 2)
        .await?;
    assert_eq!(sorted(names(&result)), ["Rain Jacket", "Wool Sweater"]);
    // The jacket comes back in stock.
    catalog
        .staff(
            STOCK_ADJUST,
            json!({ "v": catalog.variants["Rain Jacket"], "w": catalog.warehouse, "d": 4 }),
        )
        .await?;
    let result = catalog
        .wait_for(sold_out.clone(), |r| r["totalHits"] == 1)
        .await?;
    assert_eq!(names(&result), ["Wool Sweater"]);

    // Archived and deleted products disappear.
    catalog
        .staff(
            PRODUCT_UPDATE,
            json!({ "id": catalog.products["Linen Shirt"], "input": { "status": "ARCHIVED" } }),
        )
        .await?;
    catalog
        .wait_for(json!({ "query": "linen" }), |r| r["totalHits"] == 0)
        .await?;
    catalog
        .staff(
            "mutation($id: ID!) { productDelete(id: $id) { userErrors { message } } }",
            json!({ "id": catalog.products["Organic Cotton Shirt"] }),
        )
        .await?;
    let cotton = catalog
        .wait_for(json!({ "query": "organic" }), |r| r["totalHits"] == 0)
        .await?;
    assert_eq!(cotton["hits"], json!([]));

    // A renamed product and a renamed category are found by their new names.
    rename_the_socks(&catalog).await?;
    catalog
        .staff(
            "mutation($id: ID!, $input: CategoryUpdateInput!) { categoryUpdate(id: $id, input: $input) { userErrors { message } } }",
            json!({ "id": catalog.categories["Jackets"], "input": { "name": "Outerwear" } }),
        )
        .await?;
    let outerwear = catalog
        .wait_for(json!({ "query": "outerwear" }), |r| r["totalHits"] == 1)
        .await?;
    assert_eq!(names(&outerwear), ["Rain Jacket"]);
    // A new price moves the product in the price order.
    let variant_update = "mutation($id: ID!, $input: ProductVariantUpdateInput!) { productVariantUpdate(id: $id, input: $input) { userErrors { message } } }";
    catalog
        .staff(
            variant_update,
            json!({ "id": catalog.variants["Rain Jacket"], "input": { "prices": [{ "amount": "5.00", "currencyCode": "USD" }] } }),
        )
        .await?;
    let cheapest = catalog
        .wait_for(json!({ "sortKey": "PRICE", "first": 1 }), |r| {
            names(r) == ["Rain Jacket"]
        })
        .await?;
    assert_eq!(cheapest["totalHits"], 3);
    Ok(())
}
search_contract!(stock_and_catalog_changes_reach_the_index);

/// A sale records whether the variant was in stock before it, so the index is only rebuilt
/// when a product may have flipped; a sale of the last units must still reach it.
async fn a_sale_of_the_last_units_reaches_the_index(
    engine: Engine,
    backend: Backend,
) -> anyhow::Result<()> {
    let catalog = Catalog::create(&engine, backend).await?;
    let sold_out = json!({ "filter": { "inStock": false } });
    let buyer = catalog.server.guest();
    let sweater = VariantId::of(&json!(catalog.variants["Wool Sweater"]));
    // Two sweaters in stock: the first sale leaves one, the second sells out.
    for _ in 0..2 {
        let cart = buyer.cart().line(sweater, 1).ready().create().await?;
        let placed = buyer
            .mutate_ok(
                "mutation($cart: ID!, $key: String!) { checkoutComplete(cartId: $cart, idempotencyKey: $key) { order { id } userErrors { code message } } }",
                json!({ "cart": cart.to_string(), "key": uuid::Uuid::new_v4().to_string() }),
            )
            .await?;
        assert!(placed["order"]["id"].is_string(), "{placed}");
    }
    let result = catalog.wait_for(sold_out, |r| r["totalHits"] == 2).await?;
    assert_eq!(sorted(names(&result)), ["Rain Jacket", "Wool Sweater"]);
    Ok(())
}
search_contract!(a_sale_of_the_last_units_reaches_the_index);

/// A stock change that leaves the product's document as it was is not written to the index
/// again (the embedded engine compares it with what it wrote); the change after it, which
/// sells the product out, must still reach the index.
async fn a_sell_out_after_an_unchanged_document_reaches_the_index(
    engine: Engine,
    backend: Backend,
) -> anyhow::Result<()> {
    let catalog = Catalog::create(&engine, backend).await?;
    let sweater = json!({ "v": catalog.variants["Wool Sweater"], "w": catalog.warehouse, "d": -1 });
    // Two sweaters → one: the sweater's document is built again and comes out the same.
    catalog.staff(STOCK_ADJUST, sweater.clone()).await?;
    // The queue is synced oldest first: once a later rename is found, the sweater's
    // unchanged document has been through the sync.
    rename_the_socks(&catalog).await?;
    let sold_out = json!({ "filter": { "inStock": false } });
    let before = catalog.search(sold_out.clone()).await?;
    assert_eq!(
        names(&before),
        ["Rain Jacket"],
        "one sweater is left: {before}"
    );
    // One → none: the in-stock flag flips, and the index must hear of it.
    catalog.staff(STOCK_ADJUST, sweater).await?;
    let result = catalog.wait_for(sold_out, |r| r["totalHits"] == 2).await?;
    assert_eq!(sorted(names(&result)), ["Rain Jacket", "Wool Sweater"]);
    Ok(())
}
search_contract!(a_sell_out_after_an_unchanged_document_reaches_the_index);

async fn suggestions_complete_prefixes(engine: Engine, backend: Backend) -> anyhow::Result<()> {
    let catalog = Catalog::create(&engine, backend).await?;
    let suggest = "query($p: String!, $l: Int) { searchSuggestions(prefix: $p, limit: $l) }";
    let cot = catalog
        .server
        .graphql(suggest, json!({ "p": "cot" }))
        .await?;
    let mut found: Vec<String> = serde_json::from_value(cot.data()["searchSuggestions"].clone())?;
    found.sort();
    assert_eq!(found, ["Cotton Socks", "Organic Cotton Shirt"]);
    let typo = catalog
        .server
        .graphql(suggest, json!({ "p": "sweatr" }))
        .await?;
    assert_eq!(typo.data()["searchSuggestions"], json!(["Wool Sweater"]));
    let one = catalog
        .server
        .graphql(suggest, json!({ "p": "shirt", "l": 1 }))
        .await?;
    assert_eq!(one.data()["searchSuggestions"].as_array().unwrap().len(), 1);
    let empty = catalog
        .server
        .graphql(suggest, json!({ "p": "  " }))
        .await?;
    assert_eq!(empty.data()["searchSuggestions"], json!([]));

    // Bad input is refused with the argument named, before the engine is asked.
    for (query, variables, needle) in [
        (suggest, json!({ "p": "a", "l": 0 }), "limit"),
        (super::fixture::SEARCH, json!({ "first": 1000 }), "first"),
        (super::fixture::SEARCH, json!({ "offset": -1 }), "offset"),
        (
            super::fixture::SEARCH,
            json!({ "filter": { "priceMin": "50", "priceMax": "10" } }),
            "priceMin",
        ),
        (
            super::fixture::SEARCH,
            json!({ "filter": { "categoryIds": ["nope"] } }),
            "categoryIds",
        ),
        (
            super::fixture::SEARCH,
            json!({ "query": "x".repeat(201) }),
            "query",
        ),
    ] {
        let response = catalog.server.graphql(query, variables.clone()).await?;
        assert_eq!(
            response.error_code(),
            Some("BAD_USER_INPUT"),
            "{variables}: {}",
            response.body
        );
        assert!(
            response.error_message().contains(needle),
            "{}",
            response.error_message()
        );
    }
    Ok(())
}
search_contract!(suggestions_complete_prefixes);
