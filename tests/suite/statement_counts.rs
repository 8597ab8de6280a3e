//! DataLoader on every edge: a listing costs the same number of SQL statements whatever its
//! page size. Pinned, so a new N+1 fails here rather than in production.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bench_queries;

use e2e::{Backend, TestServer, e2e};
use serde_json::json;

const STOREFRONT_GRID: &str = r#"
query Grid($first: Int!) {
  products(first: $first) {
    nodes {
      id name slug availableForSale
      priceRange { minVariantPrice { amount currencyCode } maxVariantPrice { amount } }
      images { url }
      category { name parent { name } }
      variants {
        sku selectedOptions { name value }
        price { amount } compareAtPrice { amount }
        quantityAvailable availableForSale
      }
    }
  }
}"#;

async fn listing_statement_count_is_independent_of_page_size(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 80).await?;
    let small = server
        .graphql(STOREFRONT_GRID, json!({ "first": 5 }))
        .await?;
    let large = server
        .graphql(STOREFRONT_GRID, json!({ "first": 50 }))
        .await?;
    assert_eq!(
        small.data()["products"]["nodes"].as_array().unwrap().len(),
        5
    );
    assert_eq!(
        large.data()["products"]["nodes"].as_array().unwrap().len(),
        50
    );
    let (small_n, large_n) = (small.sql_statements.unwrap(), large.sql_statements.unwrap());
    assert_eq!(
        small_n, large_n,
        "5 products took {small_n} statements, 50 took {large_n}"
    );
    // products, images, categories with their parents, variants with their prices and stock
    // (which also give availability and price ranges): one statement each.
    assert!(
        large_n <= 4,
        "the storefront grid took {large_n} statements"
    );
    server.stop().await
}
e2e!(listing_statement_count_is_independent_of_page_size);

async fn minimal_listing_costs_two_statements(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 40).await?;
    let query = "{ products(first: 24) { nodes { name availableForSale variants { price { amount } quantityAvailable } } } }";
    let response = server.graphql(query, json!({})).await?;
    assert_eq!(
        response.data()["products"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        24
    );
    // products, and variants with their prices and stock.
    let n = response.sql_statements.unwrap();
    assert!(
        n <= 2,
        "listing with variants, prices and availability took {n} statements"
    );
    server.stop().await
}
e2e!(minimal_listing_costs_two_statements);

const CATEGORY_MENU: &str = r#"
query Menu($first: Int!) {
  categories(first: $first) {
    nodes {
      slug
      children { slug }
      products(first: 3, sortKey: PRICE) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { name priceRange { minVariantPrice { amount } } }
      }
    }
  }
}"#;

async fn category_menu_statement_count_is_independent_of_category_count(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 40).await?;
    let two = server.graphql(CATEGORY_MENU, json!({ "first": 2 })).await?;
    let ten = server
        .graphql(CATEGORY_MENU, json!({ "first": 10 }))
        .await?;
    assert_eq!(
        ten.data()["categories"]["nodes"].as_array().unwrap().len(),
        10
    );
    let (two_n, ten_n) = (two.sql_statements.unwrap(), ten.sql_statements.unwrap());
    assert_eq!(
        two_n, ten_n,
        "2 categories took {two_n} statements, 10 took {ten_n}"
    );
    // categories, children, first pages, counts, price ranges (from the variants' prices).
    assert!(ten_n <= 5, "the category menu took {ten_n} statements");
    server.stop().await
}
e2e!(category_menu_statement_count_is_independent_of_category_count);

/// Search hits become products through one DataLoader batch: the statements of a search
/// page do not depend on how many hits it shows.
async fn search_hydrates_hits_in_one_batch(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 80).await?;
    let query = "query($n: Int!) { search(first: $n, facets: [CATEGORY]) { totalHits hits { product { name priceRange { minVariantPrice { amount } } variants { sku price { amount } } } } facets { values { label count } } } }";
    let small = server.graphql(query, json!({ "n": 3 })).await?;
    let large = server.graphql(query, json!({ "n": 40 })).await?;
    assert_eq!(
        small.data()["search"]["hits"].as_array().unwrap().len(),
        3,
        "{}",
        small.body
    );
    assert_eq!(large.data()["search"]["hits"].as_array().unwrap().len(), 40);
    let (small_n, large_n) = (small.sql_statements.unwrap(), large.sql_statements.unwrap());
    assert_eq!(
        small_n, large_n,
        "3 hits took {small_n} statements, 40 took {large_n}"
    );
    // products, variants with their prices (which give the price ranges), category labels.
    assert!(large_n <= 3, "a search page took {large_n} statements");
    server.stop().await
}
e2e!(search_hydrates_hits_in_one_batch);
