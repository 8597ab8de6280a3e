//! Collections: staff create, change and delete them and set their members and order;
//! shoppers read them (ACTIVE products only), `Product.collections` is batched, and a cached
//! anonymous answer follows a change.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};
use std::time::Duration;

/// With 40 demo products the seeded `footwear-edit` holds one draft (the 18th product).
const PRODUCTS: usize = 40;

const CREATE: &str = "mutation($input: CollectionCreateInput!) { collectionCreate(input: $input) {
    collection { id handle title description image { url altText } seo { title description } }
    userErrors { field code message } } }";
const UPDATE: &str = "mutation($id: ID!, $input: CollectionUpdateInput!) { collectionUpdate(id: $id, input: $input) {
    collection { id handle title description image { url altText } seo { title description } }
    userErrors { field code message } } }";
const DELETE: &str = "mutation($id: ID!) { collectionDelete(id: $id) { deletedCollectionId userErrors { field code message } } }";
const ADD: &str =
    "mutation($c: ID!, $p: [ID!]!) { collectionProductsAdd(collectionId: $c, productIds: $p) {
    collection { id } userErrors { field code message } } }";
const REMOVE: &str =
    "mutation($c: ID!, $p: [ID!]!) { collectionProductsRemove(collectionId: $c, productIds: $p) {
    collection { id } userErrors { field code message } } }";
const REORDER: &str =
    "mutation($c: ID!, $p: [ID!]!) { collectionProductsReorder(collectionId: $c, productIds: $p) {
    collection { id } userErrors { field code message } } }";
const MEMBERS: &str = "query($h: String!) { collection(handle: $h) { id title
    products(first: 50) { totalCount nodes { id status } } } }";

/// The staff client of one test.
struct Admin<'a> {
    server: &'a TestServer,
    token: String,
}

impl Admin<'_> {
    async fn new(server: &TestServer) -> anyhow::Result<Admin<'_>> {
        Ok(Admin {
            server,
            token: server.admin_token().await?,
        })
    }

    async fn data(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let r = self
            .server
            .graphql_as(Some(&self.token), query, variables)
            .await?;
        Ok(r.data().clone())
    }

    /// Ids of the first `n` products staff see (any status), in id order.
    async fn product_ids(&self, n: usize) -> anyhow::Result<Vec<String>> {
        let d = self
            .data(
                "query($n: Int!) { products(first: $n) { nodes { id } } }",
                json!({ "n": n }),
            )
            .await?;
        Ok(ids(&d["products"]["nodes"]))
    }

    /// A collection's member ids in its order, as `token` sees them (None: anonymous).
    async fn members(&self, token: Option<&str>, handle: &str) -> anyhow::Result<Vec<String>> {
        let r = self
            .server
            .graphql_as(token, MEMBERS, json!({ "h": handle }))
            .await?;
        Ok(ids(&r.data()["collection"]["products"]["nodes"]))
    }

    async fn create(&self, input: Value) -> anyhow::Result<Value> {
        Ok(self.data(CREATE, json!({ "input": input })).await?["collectionCreate"].clone())
    }
}

fn ids(nodes: &Value) -> Vec<String> {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

/// `(field path joined by '.', code)` of a payload's user errors.
fn errors(payload: &Value) -> Vec<(String, String)> {
    payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let field = e["field"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .map(|s| s.as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            (field, e["code"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

async fn collections_are_created_updated_and_deleted(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = Admin::new(&server).await?;
    let count = || async {
        let d = admin
            .data("{ collections(first: 1) { totalCount } }", json!({}))
            .await?;
        anyhow::Ok(d["collections"]["totalCount"].as_u64().unwrap())
    };
    let seeded = count().await?;
    assert_eq!(seeded, 5, "the demo catalog has five collections");

    // Every bad field is reported at once, and nothing is stored.
    let refused = admin
        .create(json!({
            "title": " ", "handle": "Not A Handle",
            "description": "bad\u{1b}text",
            "image": { "url": "javascript:alert(1)", "altText": "x".repeat(256) },
            "seo": { "title": "line\nbreak", "description": "d".repeat(1001) }
        }))
        .await?;
    assert_eq!(
        errors(&refused),
        vec![
            pair("input.title", "INVALID"),
            pair("input.handle", "INVALID"),
            pair("input.description", "INVALID"),
            pair("input.image.url", "INVALID"),
            pair("input.image.altText", "INVALID"),
            pair("input.seo.title", "INVALID"),
            pair("input.seo.description", "INVALID"),
        ],
        "{refused}"
    );
    assert_eq!(refused["collection"], Value::Null);
    assert_eq!(count().await?, seeded);

    // The handle is made from the title; a taken one is refused.
    let created = admin
        .create(json!({
            "title": "  Summer Sale ", "description": "Warm days.\nCool prices.",
            "image": { "url": "https://cdn.example.com/summer.jpg", "altText": "Beach" },
            "seo": { "title": "Summer sale", "description": "Up to half off" }
        }))
        .await?;
    assert_eq!(errors(&created), vec![], "{created}");
    let collection = &created["collection"];
    assert_eq!(collection["handle"], "summer-sale");
    assert_eq!(collection["title"], "Summer Sale");
    assert_eq!(collection["description"], "Warm days.\nCool prices.");
    assert_eq!(
        collection["image"],
        json!({ "url": "https://cdn.example.com/summer.jpg", "altText": "Beach" })
    );
    assert_eq!(
        collection["seo"],
        json!({ "title": "Summer sale", "description": "Up to half off" })
    );
    let id = collection["id"].as_str().unwrap().to_owned();
    let taken = admin
        .create(json!({ "title": "Again", "handle": "summer-sale" }))
        .await?;
    assert_eq!(errors(&taken), vec![pair("input.handle", "TAKEN")]);

    // Update: changed fields change, `null` clears, omitted fields stay.
    let updated = admin
        .data(
            UPDATE,
            json!({ "id": id, "input": { "title": "Summer Edit", "handle": "summer-edit",
                "description": null, "image": null } }),
        )
        .await?["collectionUpdate"]
        .clone();
    assert_eq!(errors(&updated), vec![], "{updated}");
    let collection = &updated["collection"];
    assert_eq!(collection["handle"], "summer-edit");
    assert_eq!(collection["description"], Value::Null);
    assert_eq!(collection["image"], Value::Null);
    assert_eq!(collection["seo"]["title"], "Summer sale");
    let clash = admin
        .data(
            UPDATE,
            json!({ "id": id, "input": { "title": "", "handle": "sale" } }),
        )
        .await?["collectionUpdate"]
        .clone();
    assert_eq!(
        errors(&clash),
        vec![
            pair("input.title", "INVALID"),
            pair("input.handle", "TAKEN")
        ]
    );
    let by_handle = server
        .graphql(
            "{ collection(handle: \"summer-edit\") { id title } }",
            json!({}),
        )
        .await?;
    assert_eq!(by_handle.data()["collection"]["title"], "Summer Edit");

    // Shoppers and customers may not change collections.
    let shopper = server.customer_token("shopper@example.com").await?;
    for token in [None, Some(shopper.as_str())] {
        let r = server
            .graphql_as(token, DELETE, json!({ "id": id }))
            .await?;
        assert!(
            matches!(r.error_code(), Some("UNAUTHENTICATED" | "FORBIDDEN")),
            "{}",
            r.body
        );
    }

    let deleted = admin.data(DELETE, json!({ "id": id })).await?["collectionDelete"].clone();
    assert_eq!(deleted["deletedCollectionId"], id.as_str());
    let again = admin.data(DELETE, json!({ "id": id })).await?["collectionDelete"].clone();
    assert_eq!(errors(&again), vec![pair("id", "NOT_FOUND")]);
    let gone = server
        .graphql(
            "query($id: ID!) { collection(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await?;
    assert_eq!(gone.data()["collection"], Value::Null);
    assert_eq!(count().await?, seeded);
    server.stop().await
}
e2e!(collections_are_created_updated_and_deleted);

async fn members_are_added_removed_and_reordered(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = Admin::new(&server).await?;
    let products = admin.product_ids(6).await?;
    let created = admin.create(json!({ "title": "Picks" })).await?;
    let collection = created["collection"]["id"].as_str().unwrap().to_owned();
    let token = Some(admin.token.as_str());
    let pick = |indexes: &[usize]| -> Vec<String> {
        indexes.iter().map(|i| products[*i].clone()).collect()
    };

    // Appended in the given order; a repeated id counts once.
    let add = |ids: Vec<&String>| {
        let variables = json!({ "c": collection, "p": ids });
        async { anyhow::Ok(admin.data(ADD, variables).await?["collectionProductsAdd"].clone()) }
    };
    let added = add(vec![&products[2], &products[0], &products[2]]).await?;
    assert_eq!(errors(&added), vec![], "{added}");
    assert_eq!(admin.members(token, "picks").await?, pick(&[2, 0]));
    // Already-present ones stay where they are; new ones go last.
    add(vec![&products[0], &products[4], &products[1]]).await?;
    assert_eq!(admin.members(token, "picks").await?, pick(&[2, 0, 4, 1]));

    // An unknown product refuses the whole call, naming each bad id.
    let unknown = "0190a000-0000-7000-8000-000000000000".to_owned();
    let refused = add(vec![&products[3], &unknown, &unknown]).await?;
    assert_eq!(
        errors(&refused),
        vec![
            pair("productIds.1", "NOT_FOUND"),
            pair("productIds.2", "NOT_FOUND")
        ]
    );
    assert_eq!(
        admin.members(token, "picks").await?.len(),
        4,
        "nothing stored"
    );
    let no_collection = admin
        .data(ADD, json!({ "c": unknown, "p": [products[0]] }))
        .await?["collectionProductsAdd"]
        .clone();
    assert_eq!(
        errors(&no_collection),
        vec![pair("collectionId", "NOT_FOUND")]
    );
    let too_many: Vec<String> = (0..251).map(|_| products[0].clone()).collect();
    let capped = admin
        .data(ADD, json!({ "c": collection, "p": too_many }))
        .await?["collectionProductsAdd"]
        .clone();
    assert_eq!(errors(&capped), vec![pair("productIds", "INVALID")]);

    // Reorder: the listed members go first, in the given order; the rest follow as they were.
    let reordered = admin
        .data(
            REORDER,
            json!({ "c": collection, "p": [products[1], products[4]] }),
        )
        .await?["collectionProductsReorder"]
        .clone();
    assert_eq!(errors(&reordered), vec![], "{reordered}");
    assert_eq!(admin.members(token, "picks").await?, pick(&[1, 4, 2, 0]));
    // A non-member or a repeated id refuses the reorder.
    let bad = admin
        .data(
            REORDER,
            json!({ "c": collection, "p": [products[0], products[5], products[0]] }),
        )
        .await?["collectionProductsReorder"]
        .clone();
    assert_eq!(errors(&bad), vec![pair("productIds.2", "INVALID")]);
    let bad = admin
        .data(
            REORDER,
            json!({ "c": collection, "p": [products[0], products[5]] }),
        )
        .await?["collectionProductsReorder"]
        .clone();
    assert_eq!(errors(&bad), vec![pair("productIds.1", "NOT_FOUND")]);
    // The full order, listed.
    let full = pick(&[0, 2, 4, 1]);
    admin
        .data(REORDER, json!({ "c": collection, "p": full }))
        .await?;
    assert_eq!(admin.members(token, "picks").await?, full);

    // Pages follow the order.
    let page = "query($h: String!, $after: String) { collection(handle: $h) {
        products(first: 3, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } }";
    let first = admin.data(page, json!({ "h": "picks" })).await?;
    let first = &first["collection"]["products"];
    assert_eq!(ids(&first["nodes"]), full[..3]);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let next = admin
        .data(
            page,
            json!({ "h": "picks", "after": first["pageInfo"]["endCursor"] }),
        )
        .await?;
    let next = &next["collection"]["products"];
    assert_eq!(ids(&next["nodes"]), full[3..]);
    assert_eq!(next["pageInfo"]["hasNextPage"], false);

    // Product.collections: the product is in `picks` too now.
    let of_product = admin
        .data(
            "query($id: ID!) { product(id: $id) { collections { handle } } }",
            json!({ "id": products[0] }),
        )
        .await?;
    let handles: Vec<&str> = of_product["product"]["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["handle"].as_str().unwrap())
        .collect();
    assert!(handles.contains(&"picks"), "{handles:?}");

    // Remove: non-members are ignored.
    let removed = admin
        .data(
            REMOVE,
            json!({ "c": collection, "p": [products[2], products[5]] }),
        )
        .await?["collectionProductsRemove"]
        .clone();
    assert_eq!(errors(&removed), vec![], "{removed}");
    assert_eq!(admin.members(token, "picks").await?, pick(&[0, 4, 1]));
    server.stop().await
}
e2e!(members_are_added_removed_and_reordered);

async fn shoppers_see_only_active_products(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = Admin::new(&server).await?;
    let counts = |token: Option<String>| {
        let server = &server;
        async move {
            let r = server
                .graphql_as(token.as_deref(), MEMBERS, json!({ "h": "footwear-edit" }))
                .await?;
            let products = &r.data()["collection"]["products"];
            let statuses: Vec<String> = products["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["status"].as_str().unwrap().to_owned())
                .collect();
            anyhow::Ok((products["totalCount"].as_u64().unwrap(), statuses))
        }
    };
    let (staff_total, staff_statuses) = counts(Some(admin.token.clone())).await?;
    let (public_total, public_statuses) = counts(None).await?;
    assert!(
        staff_statuses.contains(&"DRAFT".to_owned()),
        "{staff_statuses:?}"
    );
    assert!(
        public_statuses.iter().all(|s| s == "ACTIVE"),
        "{public_statuses:?}"
    );
    assert_eq!(public_total + 1, staff_total);
    assert_eq!(public_statuses.len() as u64, public_total);

    // The home page collections of Next.js Commerce are there.
    let home = server
        .graphql(
            "{ a: collection(handle: \"hidden-homepage-featured-items\") { products(first: 10) { nodes { id } } }
               b: collection(handle: \"hidden-homepage-carousel\") { products(first: 20) { nodes { id } } } }",
            json!({}),
        )
        .await?;
    assert_eq!(ids(&home.data()["a"]["products"]["nodes"]).len(), 3);
    assert!(ids(&home.data()["b"]["products"]["nodes"]).len() >= 6);
    server.stop().await
}
e2e!(shoppers_see_only_active_products);

async fn collections_of_a_listing_cost_one_statement(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, PRODUCTS).await?;
    let plain = server
        .graphql("{ products(first: 20) { nodes { id name } } }", json!({}))
        .await?;
    let with = server
        .graphql(
            "{ products(first: 20) { nodes { id name collections { handle title } } } }",
            json!({}),
        )
        .await?;
    let nodes = with.data()["products"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 20);
    assert!(
        nodes
            .iter()
            .any(|n| !n["collections"].as_array().unwrap().is_empty()),
        "seeded products are in collections"
    );
    assert_eq!(
        with.sql_statements.unwrap(),
        plain.sql_statements.unwrap() + 1,
        "collections of 20 products are one statement"
    );
    // Several collections' first pages are one statement too, whatever their number.
    let two = "{ a: collection(handle: \"footwear-edit\") { products(first: 5) { nodes { id } } }
                 b: collection(handle: \"sale\") { products(first: 5) { nodes { id } } } }";
    let one =
        "{ a: collection(handle: \"footwear-edit\") { products(first: 5) { nodes { id } } } }";
    let (two, one) = (
        server.graphql(two, json!({})).await?,
        server.graphql(one, json!({})).await?,
    );
    assert_eq!(two.sql_statements, one.sql_statements);
    server.stop().await
}
e2e!(collections_of_a_listing_cost_one_statement);

async fn a_cached_collection_follows_a_change(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::start(backend, PRODUCTS, |config| {
        config.cache.response_cache_entries = 1_000;
        config.auth.admin_email = Some(e2e::ADMIN_EMAIL.into());
        config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.into());
    })
    .await?;
    let admin = Admin::new(&server).await?;
    let query = "{ collection(handle: \"kitchen-essentials\") { id title products(first: 3) { nodes { id } } } }";
    let ask = || async {
        let response = server.post_as(None, query, json!({})).await?;
        let hit = e2e::header(&response, "x-response-cache") == "hit";
        let body: Value = response.json().await?;
        anyhow::Ok((hit, body))
    };
    let (_, first) = ask().await?;
    let (hit, _) = ask().await?;
    assert!(hit, "the second answer comes from the cache");
    let id = first["data"]["collection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let renamed = admin
        .data(
            UPDATE,
            json!({ "id": id, "input": { "title": "Cook's Favourites" } }),
        )
        .await?;
    assert_eq!(errors(&renamed["collectionUpdate"]), vec![]);
    // The catalog event drops the answer as soon as the relay publishes it.
    let mut title = Value::Null;
    for _ in 0..100 {
        let (_, body) = ask().await?;
        title = body["data"]["collection"]["title"].clone();
        if title == "Cook's Favourites" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(title, "Cook's Favourites");

    // A membership change is a change too.
    let first_member = first["data"]["collection"]["products"]["nodes"][0]["id"].clone();
    admin
        .data(REMOVE, json!({ "c": id, "p": [first_member] }))
        .await?;
    let mut still_there = true;
    for _ in 0..100 {
        let (_, body) = ask().await?;
        still_there = body["data"]["collection"]["products"]["nodes"][0]["id"] == first_member;
        if !still_there {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!still_there, "the removed product left the cached answer");
    server.stop().await
}
e2e!(a_cached_collection_follows_a_change);
