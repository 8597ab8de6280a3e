//! A listing's variants, prices, images and attributes are answered from memory
//! (`common::in_memory`) when every field selected of them is held there, and by the derived
//! resolvers otherwise. Both must give the same answer, whatever the selection's shape:
//! aliases, fragments, `__typename`, arguments from variables, a field selected twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};

/// `fast` selects only fields held in memory; `slow` adds the variant's `product`, which must
/// be loaded, so the whole variant goes through the derived resolver.
const LISTING: &str = r#"
query Grid($currency: CurrencyCode!) {
  products(first: 20, currency: EUR) {
    nodes {
      id
      fast: variants { ...Variant }
      slow: variants { ...Variant product { id } }
      images { __typename url ... on Image { alt: altText } width height url }
      priceRange { ...Range }
      asked: priceRange(currency: $currency) { ...Range }
      attributes { name ... { value } }
    }
  }
}
fragment Variant on ProductVariant {
  __typename id sku name
  selectedOptions { name value __typename }
  price { amount currencyCode }
  asked: price(currency: $currency) { amount ... on Money { currencyCode } }
  yen: price(currency: JPY) { amount }
  compareAtPrice { amount currencyCode }
  quantityAvailable availableForSale
  price { amount }
}
fragment Range on PriceRange {
  minVariantPrice { amount currencyCode }
  maxVariantPrice { __typename amount }
}"#;

fn amount(money: &Value) -> f64 {
    money["amount"].as_str().unwrap().parse().unwrap()
}

async fn in_memory_answers_match_the_derived_resolvers(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 40).await?;
    let response = server
        .graphql(LISTING, json!({ "currency": "USD" }))
        .await?;
    let nodes = response.data()["products"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 20);
    let mut on_sale = 0;
    for node in nodes {
        let fast = node["fast"].as_array().unwrap();
        let slow = node["slow"].as_array().unwrap();
        assert_eq!(fast.len(), 3, "{node}");
        assert_eq!(fast.len(), slow.len());
        for (fast, slow) in fast.iter().zip(slow) {
            assert_eq!(slow["product"]["id"], node["id"]);
            let mut slow = slow.clone();
            slow.as_object_mut().unwrap().remove("product");
            assert_eq!(fast, &slow, "in memory and derived differ");
            // The answer itself, not only its agreement with the derived one.
            assert_eq!(fast["__typename"], "ProductVariant");
            assert_eq!(fast["price"]["currencyCode"], "EUR");
            assert!(fast["price"]["amount"].is_string());
            assert_eq!(fast["asked"]["currencyCode"], "USD");
            assert_eq!(fast["yen"], Value::Null, "the catalog has no yen prices");
            assert_eq!(fast["selectedOptions"][0]["__typename"], "SelectedOption");
            assert_eq!(
                fast["availableForSale"],
                json!(fast["quantityAvailable"].as_i64().unwrap() > 0)
            );
            if !fast["compareAtPrice"].is_null() {
                on_sale += 1;
                assert!(amount(&fast["compareAtPrice"]) > amount(&fast["price"]));
            }
        }
        // The price range is the variants' lowest and highest price, in each currency.
        for (range, key) in [("priceRange", "price"), ("asked", "asked")] {
            let amounts: Vec<f64> = fast.iter().map(|v| amount(&v[key])).collect();
            let min = amounts.iter().copied().fold(f64::MAX, f64::min);
            let max = amounts.iter().copied().fold(f64::MIN, f64::max);
            assert_eq!(amount(&node[range]["minVariantPrice"]), min);
            assert_eq!(amount(&node[range]["maxVariantPrice"]), max);
            assert_eq!(node[range]["maxVariantPrice"]["__typename"], "Money");
        }
        assert_eq!(node["asked"]["minVariantPrice"]["currencyCode"], "USD");
        for image in node["images"].as_array().unwrap() {
            assert_eq!(image["__typename"], "Image");
            assert!(image["url"].as_str().unwrap().starts_with("http"));
            assert!(image.as_object().unwrap().contains_key("alt"));
        }
        assert_eq!(node["attributes"][0]["name"], "Material");
        assert!(node["attributes"][0]["value"].is_string());
    }
    assert!(on_sale > 0, "the catalog has variants on sale");
    server.stop().await
}
e2e!(in_memory_answers_match_the_derived_resolvers);

/// Field order follows the selection, as the GraphQL spec asks (read from the response text:
/// the JSON parser here does not keep the order).
async fn in_memory_answers_keep_the_selection_order(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 3).await?;
    let query = "{ products(first: 1) { nodes { variants { \
        sku id availableForSale price { currencyCode amount } name } } } }";
    let text = server
        .http()
        .post(server.url("/graphql"))
        .json(&json!({ "query": query }))
        .send()
        .await?
        .text()
        .await?;
    let first = |key: &str| {
        text.find(&format!("\"{key}\":"))
            .unwrap_or_else(|| panic!("{key} missing from {text}"))
    };
    let order = [
        "sku",
        "id",
        "availableForSale",
        "price",
        "currencyCode",
        "amount",
        "name",
    ];
    let positions: Vec<usize> = order.iter().map(|key| first(key)).collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "fields out of selection order: {text}"
    );
    server.stop().await
}
e2e!(in_memory_answers_keep_the_selection_order);
