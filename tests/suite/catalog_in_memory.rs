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

/// Every product field a page's products answer from memory (`page_products`), through a
/// fragment, an inline fragment, aliases and `__typename`.
const PRODUCT_FIELDS: &str = r#"
fragment Product on Product {
  __typename id slug name description descriptionHtml brand tags status createdAt updatedAt
  ... on Product { attributes { name value } }
  images { url altText width height }
  variants { id sku quantityAvailable price { amount currencyCode } }
  priceRange { minVariantPrice { amount currencyCode } maxVariantPrice { amount } }
  eur: priceRange(currency: EUR) { minVariantPrice { amount currencyCode } }
  availableForSale totalAvailable options { name values }
  handle: slug
}"#;

/// A page's products answered from memory equal the same products answered by the derived
/// resolvers (made to answer them by also selecting `collections`, which is not held), on
/// `nodes`, `edges { node }`, a category's and a collection's pages, and search hits.
async fn page_products_in_memory_match_the_derived_resolvers(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 30).await?;
    // The index is filled as the server starts.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let hits = server
            .graphql("{ search(first: 12) { totalHits } }", json!({}))
            .await?;
        if hits.data()["search"]["totalHits"].as_i64().unwrap() >= 12 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the index stayed empty"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let pages = [
        (
            "{ products(first: 12) { nodes { ...Product EXTRA } } }",
            "/products/nodes",
        ),
        (
            "{ products(first: 12, sortKey: PRICE, reverse: true) { edges { node { ...Product EXTRA } } } }",
            "/products/edges",
        ),
        (
            "{ collections(first: 5) { nodes { products(first: 12) { nodes { ...Product EXTRA } } } } }",
            "/collections/nodes",
        ),
        (
            "{ search(first: 12) { hits { product { ...Product EXTRA } } } }",
            "/search/hits",
        ),
    ];
    for (page, path) in pages {
        let fast_query = format!("{}{PRODUCT_FIELDS}", page.replace("EXTRA", ""));
        let slow_query = format!(
            "{}{PRODUCT_FIELDS}",
            page.replace("EXTRA", "collections { id }")
        );
        let fast = server.graphql(&fast_query, json!({})).await?.data().clone();
        let slow = server.graphql(&slow_query, json!({})).await?.data().clone();
        let products = |data: &Value| -> Vec<Value> {
            let list = data.pointer(path).unwrap().as_array().unwrap().clone();
            // The collections' pages, one after the other.
            let list = if path == "/collections/nodes" {
                list.iter()
                    .flat_map(|c| c["products"]["nodes"].as_array().unwrap().clone())
                    .collect()
            } else {
                list
            };
            list.into_iter()
                .map(|item| {
                    let mut product = match (item.get("node"), item.get("product")) {
                        (Some(node), _) => node.clone(),
                        (_, Some(product)) => product.clone(),
                        _ => item,
                    };
                    product.as_object_mut().unwrap().remove("collections");
                    product
                })
                .collect()
        };
        let (fast, slow) = (products(&fast), products(&slow));
        assert!(
            fast.len() >= 5,
            "{path}: too few products to compare: {fast:?}"
        );
        assert_eq!(fast, slow, "{path}: in memory and derived differ");
        for product in &fast {
            // The answer itself, not only its agreement with the derived one.
            assert_eq!(product["__typename"], "Product");
            assert_eq!(product["handle"], product["slug"]);
            assert_eq!(product["status"], "ACTIVE");
            assert!(product["createdAt"].as_str().unwrap().contains('T'));
            assert_eq!(product["attributes"][0]["name"], "Material");
            let variants = product["variants"].as_array().unwrap();
            let units: i64 = variants
                .iter()
                .map(|v| v["quantityAvailable"].as_i64().unwrap())
                .sum();
            assert_eq!(product["totalAvailable"], json!(units), "{product}");
            assert_eq!(product["availableForSale"], json!(units > 0));
            let lowest = variants
                .iter()
                .map(|v| amount(&v["price"]))
                .fold(f64::MAX, f64::min);
            assert_eq!(amount(&product["priceRange"]["minVariantPrice"]), lowest);
            assert_eq!(product["eur"]["minVariantPrice"]["currencyCode"], "EUR");
            assert!(!product["images"].as_array().unwrap().is_empty());
            assert!(!product["options"].as_array().unwrap().is_empty());
        }
    }
    server.stop().await
}
e2e!(page_products_in_memory_match_the_derived_resolvers);
