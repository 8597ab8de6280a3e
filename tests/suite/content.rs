//! Menus and pages: staff changes with validation, nesting and order, links, sanitised page
//! bodies, unpublished pages hidden from shoppers, permissions, the response cache, and the
//! seeded header and footer menus.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};
use shopgraph::config::Config;
use std::time::Duration;

const PRODUCTS: usize = 3;

const MENU: &str = "query($h: String!) { menu(handle: $h) { id handle title itemsCount
    items { id title type url resourceId items { id title type url resourceId items { id title type url resourceId } } } } }";
const MENU_CREATE: &str = "mutation($input: MenuCreateInput!) { menuCreate(input: $input) {
    menu { id handle itemsCount items { title url items { title url items { title url } } } }
    userErrors { field code message } } }";
const MENU_UPDATE: &str =
    "mutation($id: ID!, $input: MenuUpdateInput!) { menuUpdate(id: $id, input: $input) {
    menu { id handle title itemsCount items { title type url items { title url } } }
    userErrors { field code message } } }";
const MENU_DELETE: &str =
    "mutation($id: ID!) { menuDelete(id: $id) { deletedMenuId userErrors { field code } } }";
const PAGE: &str = "query($h: String!) { page(handle: $h) { id handle title body bodySummary
    seo { title description } published createdAt updatedAt } }";
const PAGES: &str = "query($after: String) { pages(first: 50, after: $after) { edges { cursor node { handle } } pageInfo { hasNextPage endCursor } } }";
const PAGE_CREATE: &str = "mutation($input: PageCreateInput!) { pageCreate(input: $input) {
    page { id handle title body bodySummary seo { title description } published }
    userErrors { field code message } } }";
const PAGE_UPDATE: &str =
    "mutation($id: ID!, $input: PageUpdateInput!) { pageUpdate(id: $id, input: $input) {
    page { id handle title body published } userErrors { field code message } } }";
const PAGE_DELETE: &str =
    "mutation($id: ID!) { pageDelete(id: $id) { deletedPageId userErrors { field code } } }";

struct Admin<'a> {
    server: &'a TestServer,
    token: String,
}

impl Admin<'_> {
    async fn data(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let r = self
            .server
            .graphql_as(Some(&self.token), query, variables)
            .await?;
        Ok(r.data().clone())
    }
}

async fn admin(server: &TestServer) -> anyhow::Result<Admin<'_>> {
    Ok(Admin {
        server,
        token: server.admin_token().await?,
    })
}

/// The `field` paths of a payload's user errors, joined with dots, and their codes.
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
                        .map(|p| p.as_str().unwrap().to_owned())
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            (field, e["code"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn titles(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect()
}

async fn menus_keep_nesting_and_order(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let product = admin
        .data("{ products(first: 1) { nodes { id slug } } }", json!({}))
        .await?["products"]["nodes"][0]
        .clone();
    let faq = admin
        .data(
            PAGE_CREATE,
            json!({ "input": { "handle": "faq", "title": "FAQ", "body": "<p>Questions</p>" } }),
        )
        .await?["pageCreate"]["page"]["id"]
        .clone();
    let sale = server
        .graphql("{ collection(handle: \"sale\") { id } }", json!({}))
        .await?
        .data()["collection"]["id"]
        .clone();

    let items = json!([
        { "title": "Home", "type": "FRONTPAGE" },
        { "title": "Shop", "type": "URL", "url": "/search?q=new", "items": [
            { "title": "Featured", "type": "PRODUCT", "resourceId": product["id"] },
            { "title": "Help", "type": "PAGE", "resourceId": faq, "items": [
                { "title": "Search", "type": "SEARCH" },
            ] },
        ] },
        // Linked by id: the path follows the collection's handle.
        { "title": "Sale", "type": "COLLECTION", "resourceId": sale },
        { "title": "Blog", "type": "URL", "url": "https://blog.example.com/" },
    ]);
    let created = admin
        .data(
            MENU_CREATE,
            json!({ "input": { "handle": "main", "title": "Main", "items": items } }),
        )
        .await?["menuCreate"]
        .clone();
    assert_eq!(errors(&created), [], "{created}");
    let menu_id = created["menu"]["id"].clone();

    let menu = server.graphql(MENU, json!({ "h": "main" })).await?.data()["menu"].clone();
    assert_eq!(menu["itemsCount"], 7, "{menu}");
    assert_eq!(titles(&menu["items"]), ["Home", "Shop", "Sale", "Blog"]);
    let urls: Vec<&Value> = menu["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["url"])
        .collect();
    assert_eq!(
        urls,
        [
            &json!("/"),
            &json!("/search?q=new"),
            &json!("/collections/sale"),
            &json!("https://blog.example.com/")
        ]
    );
    let shop = &menu["items"][1];
    assert_eq!(titles(&shop["items"]), ["Featured", "Help"]);
    let slug = product["slug"].as_str().unwrap();
    assert_eq!(shop["items"][0]["url"], format!("/products/{slug}"));
    assert_eq!(shop["items"][0]["resourceId"], product["id"]);
    assert_eq!(shop["items"][0]["type"], "PRODUCT");
    assert_eq!(shop["items"][1]["url"], "/pages/faq");
    assert_eq!(shop["items"][1]["items"][0]["url"], "/search");

    // The tree is replaced whole, in the new order; a deleted page leaves its item unlinked.
    let updated = admin
        .data(
            MENU_UPDATE,
            json!({ "id": menu_id, "input": { "title": "Main menu", "items": [
                { "title": "Help", "type": "PAGE", "resourceId": faq },
                { "title": "Home", "type": "FRONTPAGE", "items": [
                    { "title": "B", "type": "URL", "url": "/b" },
                    { "title": "A", "type": "URL", "url": "/a" },
                ] },
            ] } }),
        )
        .await?["menuUpdate"]
        .clone();
    assert_eq!(errors(&updated), [], "{updated}");
    assert_eq!(updated["menu"]["title"], "Main menu");
    assert_eq!(updated["menu"]["itemsCount"], 4);
    assert_eq!(titles(&updated["menu"]["items"]), ["Help", "Home"]);
    assert_eq!(titles(&updated["menu"]["items"][1]["items"]), ["B", "A"]);
    let deleted = admin.data(PAGE_DELETE, json!({ "id": faq })).await?["pageDelete"].clone();
    assert_eq!(deleted["deletedPageId"], faq);
    let menu = server.graphql(MENU, json!({ "h": "main" })).await?.data()["menu"].clone();
    assert_eq!(menu["items"][0]["title"], "Help");
    assert_eq!(menu["items"][0]["url"], Value::Null, "{menu}");

    let gone = admin.data(MENU_DELETE, json!({ "id": menu_id })).await?["menuDelete"].clone();
    assert_eq!(gone["deletedMenuId"], menu_id);
    let again = admin.data(MENU_DELETE, json!({ "id": menu_id })).await?["menuDelete"].clone();
    assert_eq!(errors(&again), [("id".to_owned(), "NOT_FOUND".to_owned())]);
    let menu = server.graphql(MENU, json!({ "h": "main" })).await?;
    assert_eq!(menu.data()["menu"], Value::Null);
    server.stop().await
}
e2e!(menus_keep_nesting_and_order);

async fn bad_menus_are_refused_whole(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let deep = json!([{ "title": "1", "type": "FRONTPAGE", "items": [
        { "title": "2", "type": "FRONTPAGE", "items": [
            { "title": "3", "type": "FRONTPAGE", "items": [
                { "title": "4", "type": "FRONTPAGE" } ] } ] } ] }]);
    let refused = admin
        .data(
            MENU_CREATE,
            json!({ "input": { "handle": "Bad Handle", "title": " ", "items": [
                { "title": "No link", "type": "URL" },
                { "title": "Evil", "type": "URL", "url": "javascript:alert(1)" },
                { "title": "", "type": "PRODUCT", "resourceId": "not-a-uuid" },
                deep[0],
            ] } }),
        )
        .await?["menuCreate"]
        .clone();
    assert_eq!(refused["menu"], Value::Null);
    let fields: Vec<String> = errors(&refused).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "input.handle",
            "input.title",
            "input.items.0.url",
            "input.items.1.url",
            "input.items.2.title",
            "input.items.2.resourceId",
            "input.items.3.items.0.items.0.items",
        ],
        "{refused}"
    );
    let too_many: Vec<Value> = (0..251)
        .map(|i| json!({ "title": format!("Item {i}"), "type": "SEARCH" }))
        .collect();
    let refused = admin
        .data(
            MENU_CREATE,
            json!({ "input": { "handle": "big", "title": "Big", "items": too_many } }),
        )
        .await?["menuCreate"]
        .clone();
    assert_eq!(
        errors(&refused),
        [("input.items".to_owned(), "INVALID".to_owned())]
    );
    for handle in ["bad-handle", "big"] {
        let menu = server.graphql(MENU, json!({ "h": handle })).await?;
        assert_eq!(menu.data()["menu"], Value::Null, "nothing was stored");
    }

    // Handles are unique.
    let first = admin
        .data(
            MENU_CREATE,
            json!({ "input": { "handle": "twice", "title": "One" } }),
        )
        .await?["menuCreate"]
        .clone();
    assert_eq!(errors(&first), []);
    let second = admin
        .data(
            MENU_CREATE,
            json!({ "input": { "handle": "twice", "title": "Two" } }),
        )
        .await?["menuCreate"]
        .clone();
    assert_eq!(
        errors(&second),
        [("input.handle".to_owned(), "TAKEN".to_owned())]
    );

    // Only staff with MANAGE_SETTINGS change content.
    let shopper = server.customer_token("shopper@example.com").await?;
    let attempts = [
        (
            MENU_CREATE,
            json!({ "input": { "handle": "x", "title": "X" } }),
        ),
        (MENU_DELETE, json!({ "id": first["menu"]["id"] })),
        (
            PAGE_CREATE,
            json!({ "input": { "handle": "x", "title": "X" } }),
        ),
    ];
    for (mutation, variables) in attempts {
        let anonymous = server.graphql_as(None, mutation, variables.clone()).await?;
        assert_eq!(
            anonymous.error_code(),
            Some("UNAUTHENTICATED"),
            "{}",
            anonymous.body
        );
        let customer = server
            .graphql_as(Some(&shopper), mutation, variables)
            .await?;
        assert_eq!(
            customer.error_code(),
            Some("FORBIDDEN"),
            "{}",
            customer.body
        );
        assert!(customer.error_message().contains("MANAGE_SETTINGS"));
    }
    let menu = server.graphql(MENU, json!({ "h": "twice" })).await?;
    assert_eq!(menu.data()["menu"]["title"], "One");
    server.stop().await
}
e2e!(bad_menus_are_refused_whole);

async fn pages_are_sanitised_and_unpublished_ones_hidden(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let created = admin
        .data(
            PAGE_CREATE,
            json!({ "input": {
                "handle": "care",
                "title": "Caring for your things",
                "body": "<p onclick=\"steal()\">Wash <b>cold</b>, <a href=\"javascript:alert(1)\">dry flat</a>.</p><script>alert(2)</script><img src=\"https://t.example/p.gif\">",
                "seo": { "title": "Care guide", "description": "  " },
            } }),
        )
        .await?["pageCreate"]
        .clone();
    assert_eq!(errors(&created), [], "{created}");
    let page = server.graphql(PAGE, json!({ "h": "care" })).await?.data()["page"].clone();
    let body = page["body"].as_str().unwrap();
    for gone in ["script", "alert", "onclick", "javascript", "img"] {
        assert!(!body.contains(gone), "{gone} in {body}");
    }
    assert!(body.contains("Wash <b>cold</b>"), "{body}");
    assert_eq!(page["bodySummary"], "Wash cold, dry flat.");
    assert_eq!(
        page["seo"],
        json!({ "title": "Care guide", "description": null })
    );
    assert_eq!(page["published"], true);
    let id = page["id"].clone();

    // Every bad field at once; nothing stored.
    let refused = admin
        .data(
            PAGE_CREATE,
            json!({ "input": { "handle": "-x-", "title": "", "body": "x".repeat(512 * 1024 + 1),
                "summary": "a".repeat(1001) } }),
        )
        .await?["pageCreate"]
        .clone();
    let fields: Vec<String> = errors(&refused).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        ["input.title", "input.summary", "input.handle", "input.body"],
        "{refused}"
    );
    let taken = admin
        .data(
            PAGE_CREATE,
            json!({ "input": { "handle": "care", "title": "Again" } }),
        )
        .await?["pageCreate"]
        .clone();
    assert_eq!(
        errors(&taken),
        [("input.handle".to_owned(), "TAKEN".to_owned())]
    );

    // Unpublished: gone for shoppers, still there for staff.
    let hidden = admin
        .data(
            PAGE_UPDATE,
            json!({ "id": id, "input": { "published": false, "summary": "How to" } }),
        )
        .await?["pageUpdate"]
        .clone();
    assert_eq!(errors(&hidden), []);
    assert_eq!(hidden["page"]["published"], false);
    let anonymous = server.graphql(PAGE, json!({ "h": "care" })).await?;
    assert_eq!(anonymous.data()["page"], Value::Null);
    let listed = server.graphql(PAGES, json!({})).await?;
    let handles: Vec<&str> = listed.data()["pages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["handle"].as_str().unwrap())
        .collect();
    assert!(!handles.contains(&"care"), "{handles:?}");
    let staff = admin.data(PAGE, json!({ "h": "care" })).await?;
    assert_eq!(staff["page"]["bodySummary"], "How to");
    let staff_list = admin.data(PAGES, json!({})).await?;
    assert!(
        staff_list["pages"]["edges"]
            .to_string()
            .contains("\"care\"")
    );

    let gone = admin.data(PAGE_DELETE, json!({ "id": id })).await?["pageDelete"].clone();
    assert_eq!(gone["deletedPageId"], id);
    assert_eq!(
        admin.data(PAGE, json!({ "h": "care" })).await?["page"],
        Value::Null
    );
    server.stop().await
}
e2e!(pages_are_sanitised_and_unpublished_ones_hidden);

async fn the_demo_shop_has_menus_and_pages(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, PRODUCTS).await?;
    let header = server
        .graphql(MENU, json!({ "h": "next-js-frontend-header-menu" }))
        .await?
        .data()["menu"]
        .clone();
    assert_eq!(
        titles(&header["items"]),
        ["All", "Apparel", "Footwear", "Home"],
        "{header}"
    );
    assert_eq!(header["items"][0]["url"], "/search");
    assert_eq!(header["items"][1]["url"], "/categories/apparel");
    assert_eq!(
        header["items"][1]["items"][0]["url"],
        "/categories/t-shirts"
    );
    let footer = server
        .graphql(MENU, json!({ "h": "next-js-frontend-footer-menu" }))
        .await?
        .data()["menu"]
        .clone();
    assert_eq!(footer["items"][1]["url"], "/pages/about", "{footer}");
    assert_eq!(footer["items"][2]["url"], "/pages/shipping-returns");
    let about = server.graphql(PAGE, json!({ "h": "about" })).await?.data()["page"].clone();
    assert!(about["body"].as_str().unwrap().contains("<h2>"), "{about}");
    assert!(
        about["bodySummary"]
            .as_str()
            .unwrap()
            .starts_with("Made to last")
    );
    server.stop().await
}
e2e!(the_demo_shop_has_menus_and_pages);

fn cache_on(config: &mut Config) {
    config.cache.response_cache_entries = 1_000;
    config.auth.admin_email = Some(e2e::ADMIN_EMAIL.into());
    config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.into());
}

/// The answer an anonymous client gets, and whether the cache served it.
async fn ask(server: &TestServer, query: &str, variables: Value) -> anyhow::Result<(Value, bool)> {
    let response = server.post_as(None, query, variables).await?;
    let hit = response
        .headers()
        .get("x-response-cache")
        .is_some_and(|v| v.as_bytes() == b"hit");
    Ok((response.json().await?, hit))
}

/// Asks until `done` holds: the event drops cached answers shortly after the commit.
async fn ask_until(
    server: &TestServer,
    query: &str,
    variables: Value,
    done: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    for _ in 0..300 {
        let (body, _) = ask(server, query, variables.clone()).await?;
        if done(&body) {
            return Ok(body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the cached answer never changed")
}

async fn cached_menus_and_pages_follow_staff_changes(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::start(backend, PRODUCTS, cache_on).await?;
    let admin = admin(&server).await?;
    let about = json!({ "h": "about" });
    let footer = json!({ "h": "next-js-frontend-footer-menu" });
    for (query, variables) in [(PAGE, &about), (MENU, &footer)] {
        ask(&server, query, variables.clone()).await?;
        let (_, hit) = ask(&server, query, variables.clone()).await?;
        assert!(hit, "anonymous content answers are cached");
    }
    let (page, _) = ask(&server, PAGE, about.clone()).await?;
    let (menu, _) = ask(&server, MENU, footer.clone()).await?;

    admin
        .data(
            PAGE_UPDATE,
            json!({ "id": page["data"]["page"]["id"], "input": { "title": "Our story" } }),
        )
        .await?;
    ask_until(&server, PAGE, about, |b| {
        b["data"]["page"]["title"] == "Our story"
    })
    .await?;

    admin
        .data(
            MENU_UPDATE,
            json!({ "id": menu["data"]["menu"]["id"], "input": { "items": [
                { "title": "Only", "type": "FRONTPAGE" } ] } }),
        )
        .await?;
    ask_until(&server, MENU, footer, |b| {
        b["data"]["menu"]["itemsCount"] == 1
    })
    .await?;
    server.stop().await
}
e2e!(cached_menus_and_pages_follow_staff_changes);
