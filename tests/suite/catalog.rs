//! The catalog read API as a storefront uses it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use entities::enums::ProductStatus;
use entities::product;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::HashSet;

const PAGE: &str = r#"
query Page($first: Int, $after: String, $last: Int, $before: String, $sortKey: ProductSortKey, $reverse: Boolean, $filter: ProductFilter, $currency: CurrencyCode) {
  products(first: $first, after: $after, last: $last, before: $before, sortKey: $sortKey, reverse: $reverse, filter: $filter, currency: $currency) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name slug brand status createdAt availableForSale totalAvailable
      category { id slug }
      priceRange { minVariantPrice { amount currencyCode } maxVariantPrice { amount currencyCode } } } }
  }
}"#;

fn nodes(products: &Value) -> Vec<Value> {
    products["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn amount(money: &Value) -> f64 {
    money["amount"].as_str().unwrap().parse().unwrap()
}

/// Walks every page forward and returns all nodes.
async fn walk(server: &TestServer, vars: Value, page_size: i64) -> anyhow::Result<Vec<Value>> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut v = vars.clone();
        v["first"] = json!(page_size);
        v["after"] = json!(after);
        let response = server.graphql(PAGE, v).await?;
        let products = response.data()["products"].clone();
        all.extend(nodes(&products));
        if !products["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return Ok(all);
        }
        after = products["pageInfo"]["endCursor"].as_str().map(String::from);
    }
}

async fn paging_visits_every_active_product_once(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 90).await?;
    for sort in ["ID", "NAME", "CREATED", "PRICE"] {
        for reverse in [false, true] {
            let vars = json!({ "sortKey": sort, "reverse": reverse });
            let all = walk(&server, vars.clone(), 7).await?;
            let ids: HashSet<_> = all
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(
                ids.len(),
                all.len(),
                "{sort} reverse={reverse}: a product appeared twice"
            );
            let total = server
                .graphql(PAGE, json!({ "first": 1, "sortKey": sort }))
                .await?
                .data()["products"]["totalCount"]
                .as_u64()
                .unwrap();
            assert_eq!(
                all.len() as u64,
                total,
                "{sort} reverse={reverse}: paging missed products"
            );
            assert!(
                all.iter().all(|p| p["status"] == "ACTIVE"),
                "the public sees only ACTIVE products"
            );
            // The order is the one asked for.
            let keys: Vec<String> = all
                .iter()
                .map(|p| match sort {
                    "NAME" => p["name"].as_str().unwrap().to_owned(),
                    "CREATED" => p["createdAt"].as_str().unwrap().to_owned(),
                    "PRICE" => format!("{:012.2}", amount(&p["priceRange"]["minVariantPrice"])),
                    _ => p["id"].as_str().unwrap().to_owned(),
                })
                .collect();
            if sort != "NAME" {
                // Text collation differs between databases; the others compare bytewise.
                let mut sorted = keys.clone();
                sorted.sort();
                if reverse {
                    sorted.reverse();
                }
                assert_eq!(keys, sorted, "{sort} reverse={reverse} is out of order");
            }
        }
    }
    // 90 seeded, of which the drafts and archived ones are hidden.
    let total = server.graphql(PAGE, json!({ "first": 1 })).await?.data()["products"]["totalCount"]
        .as_u64()
        .unwrap();
    assert!(total > 80 && total < 90, "unexpected visible total {total}");
    server.stop().await
}
e2e!(paging_visits_every_active_product_once);

async fn backward_paging_mirrors_forward_paging(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 30).await?;
    let first = server
        .graphql(PAGE, json!({ "first": 10, "sortKey": "NAME" }))
        .await?;
    let first_page = first.data()["products"].clone();
    let end = first_page["pageInfo"]["endCursor"].as_str().unwrap();
    let second = server
        .graphql(
            PAGE,
            json!({ "first": 10, "after": end, "sortKey": "NAME" }),
        )
        .await?;
    let second_page = second.data()["products"].clone();
    assert_eq!(second_page["pageInfo"]["hasPreviousPage"], true);
    // Reading backward from the second page's start gives the first page again.
    let start = second_page["pageInfo"]["startCursor"].as_str().unwrap();
    let back = server
        .graphql(
            PAGE,
            json!({ "last": 10, "before": start, "sortKey": "NAME" }),
        )
        .await?;
    let back_page = back.data()["products"].clone();
    assert_eq!(nodes(&back_page), nodes(&first_page));
    assert_eq!(back_page["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(back_page["pageInfo"]["hasNextPage"], true);
    server.stop().await
}
e2e!(backward_paging_mirrors_forward_paging);

async fn filters_narrow_the_listing(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 70).await?;
    let all = walk(&server, json!({}), 100).await?;

    // Category filter includes descendants: "apparel" holds t-shirts, hoodies and jackets.
    let cats = server
        .graphql(
            "{ apparel: category(slug: \"apparel\") { id children { slug } } }",
            json!({}),
        )
        .await?;
    let apparel = cats.data()["apparel"].clone();
    let child_slugs: HashSet<String> = apparel["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        child_slugs,
        ["t-shirts", "hoodies", "jackets"].map(String::from).into()
    );
    let in_apparel = walk(
        &server,
        json!({ "filter": { "categoryIds": [apparel["id"]] } }),
        100,
    )
    .await?;
    let expected = all
        .iter()
        .filter(|p| child_slugs.contains(p["category"]["slug"].as_str().unwrap()))
        .count();
    assert!(expected > 0);
    assert_eq!(in_apparel.len(), expected);

    // Brand.
    let brand = all[0]["brand"].as_str().unwrap().to_owned();
    let branded = walk(&server, json!({ "filter": { "brands": [brand] } }), 100).await?;
    assert_eq!(
        branded.len(),
        all.iter().filter(|p| p["brand"] == brand.as_str()).count()
    );

    // Price range in EUR: every hit has a variant priced within it.
    let in_range = walk(
        &server,
        json!({ "currency": "EUR", "filter": { "priceMin": "40", "priceMax": "90.00" } }),
        100,
    )
    .await?;
    assert!(!in_range.is_empty());
    for p in &in_range {
        let range = &p["priceRange"];
        assert_eq!(range["minVariantPrice"]["currencyCode"], "EUR");
        assert!(
            amount(&range["minVariantPrice"]) <= 90.0 && amount(&range["maxVariantPrice"]) >= 40.0,
            "{p}"
        );
    }

    // Availability: the two halves partition the listing.
    let in_stock = walk(&server, json!({ "filter": { "inStock": true } }), 100).await?;
    let sold_out = walk(&server, json!({ "filter": { "inStock": false } }), 100).await?;
    assert!(
        !sold_out.is_empty(),
        "the demo catalog has sold-out products"
    );
    assert!(
        in_stock
            .iter()
            .all(|p| p["availableForSale"] == true && p["totalAvailable"].as_i64().unwrap() > 0)
    );
    assert!(
        sold_out
            .iter()
            .all(|p| p["availableForSale"] == false && p["totalAvailable"] == 0)
    );
    assert_eq!(in_stock.len() + sold_out.len(), all.len());
    server.stop().await
}
e2e!(filters_narrow_the_listing);

async fn product_page_by_slug_and_id(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 20).await?;
    let first = server
        .graphql("{ products(first: 1) { nodes { id slug } } }", json!({}))
        .await?;
    let node = first.data()["products"]["nodes"][0].clone();
    let query = r#"query P($id: ID, $slug: String) { product(id: $id, slug: $slug, currency: EUR) {
        id slug name description brand attributes { name value } images { url altText width height }
        priceRange { minVariantPrice { amount currencyCode } }
        variants { id sku name selectedOptions { name value } price { amount currencyCode }
                   usd: price(currency: USD) { amount currencyCode } quantityAvailable availableForSale product { id } } } }"#;
    let by_slug = server
        .graphql(query, json!({ "slug": node["slug"] }))
        .await?;
    let by_id = server.graphql(query, json!({ "id": node["id"] })).await?;
    assert_eq!(by_slug.data(), by_id.data());
    let product = &by_slug.data()["product"];
    assert_eq!(product["id"], node["id"]);
    let variants = product["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 3);
    for v in variants {
        assert_eq!(v["price"]["currencyCode"], "EUR");
        assert_eq!(v["usd"]["currencyCode"], "USD");
        assert_eq!(v["product"]["id"], node["id"]);
        assert_eq!(v["selectedOptions"].as_array().unwrap().len(), 1);
    }
    assert_eq!(product["images"].as_array().unwrap().len(), 2);
    assert_eq!(product["attributes"][0]["name"], "Material");
    server.stop().await
}
e2e!(product_page_by_slug_and_id);

async fn unpublished_products_are_invisible_to_the_public(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 40).await?;
    // Seed product #18 is a draft and #34 archived (see the seed's status rule).
    let hidden = ["-18", "-34"];
    let all = walk(&server, json!({}), 100).await?;
    for suffix in hidden {
        assert!(
            !all.iter()
                .any(|p| p["slug"].as_str().unwrap().ends_with(suffix)),
            "{suffix} listed"
        );
    }
    let drafts = products_with_status(&server, ProductStatus::Draft).await?;
    let archived = products_with_status(&server, ProductStatus::Archived).await?;
    assert!(!drafts.is_empty() && !archived.is_empty());
    for product in drafts.iter().chain(&archived) {
        let r = server
            .graphql(
                "query($id: ID, $slug: String) { a: product(id: $id) { id } b: product(slug: $slug) { id } }",
                json!({ "id": product.id.to_string(), "slug": product.slug }),
            )
            .await?;
        assert_eq!(r.data()["a"], Value::Null);
        assert_eq!(r.data()["b"], Value::Null);
    }
    server.stop().await
}
e2e!(unpublished_products_are_invisible_to_the_public);

/// Products with a status, read straight from the database (the API hides them).
async fn products_with_status(
    server: &TestServer,
    status: ProductStatus,
) -> anyhow::Result<Vec<product::Model>> {
    Ok(product::Entity::find()
        .filter(product::Column::Status.eq(status))
        .all(&server.app.app.db)
        .await?)
}

async fn categories_form_a_tree_with_products(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 35).await?;
    let query = r#"{ categories(first: 20, topLevel: true) { totalCount nodes { slug parent { slug } children { slug parent { slug }
        products(first: 3, sortKey: PRICE) { totalCount nodes { category { slug } priceRange { minVariantPrice { amount } } } } } } } }"#;
    let r = server.graphql(query, json!({})).await?;
    let roots = r.data()["categories"].clone();
    assert_eq!(roots["totalCount"], 3);
    let all_count = server
        .graphql("{ categories(first: 100) { totalCount } }", json!({}))
        .await?
        .data()["categories"]["totalCount"]
        .clone();
    assert_eq!(all_count, 10);
    for root in roots["nodes"].as_array().unwrap() {
        assert_eq!(root["parent"], Value::Null);
        for child in root["children"].as_array().unwrap() {
            assert_eq!(child["parent"]["slug"], root["slug"]);
            let products = child["products"]["nodes"].as_array().unwrap();
            assert!(!products.is_empty());
            assert!(
                products
                    .iter()
                    .all(|p| p["category"]["slug"] == child["slug"])
            );
            let prices: Vec<f64> = products
                .iter()
                .map(|p| amount(&p["priceRange"]["minVariantPrice"]))
                .collect();
            assert!(
                prices.windows(2).all(|w| w[0] <= w[1]),
                "sorted by price: {prices:?}"
            );
        }
    }
    server.stop().await
}
e2e!(categories_form_a_tree_with_products);

async fn batched_category_pages_match_direct_listings(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 60).await?;
    for sort in ["ID", "NAME", "PRICE", "CREATED"] {
        for reverse in [false, true] {
            let menu = server
                .graphql(
                    "query($s: ProductSortKey, $r: Boolean) { categories(first: 20) { nodes { id slug
                        products(first: 4, sortKey: $s, reverse: $r, currency: EUR) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } } } }",
                    json!({ "s": sort, "r": reverse }),
                )
                .await?;
            for category in menu.data()["categories"]["nodes"].as_array().unwrap() {
                // The same listing through the top-level query, which is never batched.
                let direct = server
                    .graphql(
                        "query($c: ID!, $s: ProductSortKey, $r: Boolean) { products(first: 4, sortKey: $s, reverse: $r, currency: EUR,
                            filter: { categoryIds: [$c] }) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }",
                        json!({ "c": category["id"], "s": sort, "r": reverse }),
                    )
                    .await?;
                assert_eq!(
                    category["products"],
                    direct.data()["products"],
                    "{sort} reverse={reverse} {}",
                    category["slug"]
                );
                // And the next page follows on from the batched first page.
                if category["products"]["pageInfo"]["hasNextPage"] == true {
                    let next = server
                        .graphql(
                            "query($c: ID!, $s: ProductSortKey, $r: Boolean, $a: String) { category(id: $c) {
                                products(first: 4, after: $a, sortKey: $s, reverse: $r, currency: EUR) { nodes { id } } } }",
                            json!({ "c": category["id"], "s": sort, "r": reverse, "a": category["products"]["pageInfo"]["endCursor"] }),
                        )
                        .await?;
                    let next_ids = next.data()["category"]["products"]["nodes"]
                        .as_array()
                        .unwrap()
                        .clone();
                    assert!(!next_ids.is_empty());
                    let first_ids = category["products"]["nodes"].as_array().unwrap();
                    assert!(
                        next_ids.iter().all(|id| !first_ids.contains(id)),
                        "pages overlap"
                    );
                }
            }
        }
    }
    server.stop().await
}
e2e!(batched_category_pages_match_direct_listings);

/// A product page reads the category path and the images with the product (one joined
/// statement); a listing reads them per batch of products. Both give the same answer: the
/// images in display order, and the path nested, top-level (no parent) or none at all.
async fn a_product_pages_category_path_and_images_match_the_listings(
    backend: Backend,
) -> anyhow::Result<()> {
    use entities::category;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let server = TestServer::with_catalog(backend, 12).await?;
    let db = &server.app.app.db;
    let path =
        "category { id slug name parent { id slug name } } images { url altText width height }";
    let listing = server
        .graphql(
            &format!("{{ products(first: 6) {{ nodes {{ id slug {path} }} }} }}"),
            json!({}),
        )
        .await?;
    let nodes = listing.data()["products"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    // The first keeps its nested category; the second moves to a top-level one; the third
    // loses its category.
    let top_level = category::Entity::find()
        .filter(category::Column::ParentId.is_null())
        .one(db)
        .await?
        .unwrap();
    let id = |node: &Value| node["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap();
    for (node, category_id) in [(&nodes[1], Some(top_level.id)), (&nodes[2], None)] {
        let mut product: product::ActiveModel = product::Entity::find_by_id(id(node))
            .one(db)
            .await?
            .unwrap()
            .into();
        product.category_id = Set(category_id);
        product.update(db).await?;
    }
    let listed = server
        .graphql(
            &format!("{{ products(first: 6) {{ nodes {{ slug {path} }} }} }}"),
            json!({}),
        )
        .await?;
    let listed = listed.data()["products"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert!(listed[0]["category"]["parent"]["slug"].is_string());
    assert_eq!(listed[1]["category"]["slug"], top_level.slug.as_str());
    assert_eq!(listed[1]["category"]["parent"], Value::Null);
    assert_eq!(listed[2]["category"], Value::Null);
    assert!(
        listed
            .iter()
            .all(|p| p["images"].as_array().unwrap().len() == 2)
    );
    for node in &listed {
        let page = server
            .graphql(
                &format!("query($s: String!) {{ product(slug: $s) {{ slug {path} }} }}"),
                json!({ "s": node["slug"] }),
            )
            .await?;
        assert_eq!(&page.data()["product"], node);
    }
    server.stop().await
}
e2e!(a_product_pages_category_path_and_images_match_the_listings);
